// The coefficients of GEGL's gblur-1d filters (the line algorithms that use
// them are in blur_lines.h).
//
// IIR: Young & van Vliet, "Recursive implementation of the Gaussian filter",
// Signal Processing 44 (1995): third-order causal pass then anti-causal pass,
//   w[i] = B x[i] + a1 w[i-1] + a2 w[i-2] + a3 w[i-3]   (and mirrored),
// with q(sigma) and b0..b3 from the paper (eqs. 11b, 8c), a_k = b_k / b0 and
// B = 1 - (a1 + a2 + a3). The causal pass starts from the steady state of a
// constant signal equal to the left boundary value; the anti-causal pass
// starts from Triggs & Sdika, "Boundary conditions for Young-van Vliet
// recursive filtering", IEEE TSP 54 (2006): the three values past the end are
// M (w[n-1..n-3] - u+) + u+ for the right boundary value u+. GEGL keeps the
// state in double precision; so do we.
//
// FIR: normalised sampled Gaussian, length ceil(6.5 sigma) rounded up to odd
// (1, a copy, when sigma <= 1e-5), accumulated in float like GEGL.
#pragma once

#include <vector>

namespace imgflo::runtime::ops::blur {

enum class Filter { kAuto, kFir, kIir };   // enum nicks "auto", "fir", "iir"
enum class Abyss { kNone, kClamp, kBlack, kWhite };  // nicks "none", "clamp", "black", "white"

// GEGL's choice for kAuto: FIR below sigma 1, IIR from 1 on.
Filter resolve_filter(Filter requested, float sigma);

// FIR kernel length; also the extent growth GEGL uses for both filters when
// clip-extent is off (length / 2 pixels on each side).
int fir_length(float sigma);
// Normalised kernel of fir_length(sigma) taps, centre in the middle.
std::vector<float> fir_kernel(float sigma);

struct IirCoefficients {
  double b = 0;          // B, the input gain of each pass
  double a[3] = {};      // feedback a1, a2, a3
  double m[3][3] = {};   // Triggs-Sdika matrix for these normalised passes
};
IirCoefficients iir_coefficients(float sigma);

// How many samples it takes a wrong recursion state to fade below `eps`
// times its size: the first k at which the homogeneous recursion
// w[i] = a1 w[i-1] + a2 w[i-2] + a3 w[i-3], started from any unit state,
// stays under eps for three samples. At most `limit` (returned when the
// decay is slower).
int iir_settle_rows(const IirCoefficients& c, double eps, int limit);

}  // namespace imgflo::runtime::ops::blur
