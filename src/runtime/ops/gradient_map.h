// The colour lookup table of gegl/gradient-map, exposed for unit tests.
//
// GEGL 0.3.10's workshop op builds a 2048-entry RGBA table from five
// (colour, stop) pairs and indexes it with the pixel's luminance:
//   * entry i sits at pos = i / 2048 (single precision);
//   * it interpolates linearly between the current pair of stops
//     (from, to), starting with (1, 2): w = (pos - stop_from) / (stop_to - stop_from),
//     colour = c_from + w (c_to - c_from) (w may fall outside 0..1 when
//     stops are not ascending: it extrapolates, as the original did);
//   * before computing entry i, if pos > stop_to the pair advances by one
//     (at most one step per entry, never past stop 5; once from == to == 5
//     the entry is colour 5);
//   * stops are used as given (unbounded, not sorted; stop 1 is not forced to 0).
// Deviation: where from != to but both stops are equal GEGL divides by zero
// and writes one entry of +-inf/NaN; we use w = 1 (the pair's second colour).
//
// Colours are taken in the op's output space: sRGB-encoded ("R'G'B'A
// float") when srgb is true, else linear ("RGBA float"), straight alpha.
#pragma once

#include "core/color.h"

#include <array>
#include <vector>

namespace imgflo::runtime::ops {

inline constexpr int kGradientLutSize = 2048;
inline constexpr int kGradientStops = 5;

struct GradientStop {
  std::array<float, 4> colour;  // RGBA in the output space
  double position = 0;
};

using GradientStops = std::array<GradientStop, kGradientStops>;
using GradientLut = std::vector<std::array<float, 4>>;  // kGradientLutSize entries

// The stops of colours[i] at positions[i], colours converted to the output space.
GradientStops gradient_stops(const std::array<Color, kGradientStops>& colours,
                             const std::array<double, kGradientStops>& positions, bool srgb);

GradientLut build_gradient_lut(const GradientStops& stops);

// The entry a luminance value reads: (int) clamp(v * 2047, 0, 2047).
int gradient_lut_index(float v);

}  // namespace imgflo::runtime::ops
