// CIE LCh(ab) <-> linear sRGB, computed the way babl computes GEGL's
// "CIE LCH(ab) alpha float" from "RGBA float" and back.
//
// Colour science (babl 0.1.98, the same in GEGL 0.3.10's babl):
//   XYZ = M * rgb with babl's D50-adapted sRGB matrix (below, as babl holds
//   it after "equalising" to ICC precision); xr = X / 0.96420288,
//   yr = Y, zr = Z / 0.8249054 (ICC D50 white);
//   f(t) = cbrt(t) if t > 216/24389, else (24389/27 * t + 16) / 116;
//   L = 116 f(yr) - 16, a = 500 (f(xr) - f(yr)), b = 200 (f(yr) - f(zr));
//   C = sqrt(a^2 + b^2), H = atan2(b, a) in degrees, wrapped into [0, 360).
// The inverse uses babl's XYZ -> RGB matrix and the exact inverse curve.
//
// Numerics follow babl's float path on x86-64 (single precision, the matrix
// pre-divided by the white point, products and sums fused as babl's
// x86-64-v3 build does, cube root by two Halley steps from a bit-level
// guess). For colours this only matters in the last float bit; for greys
// (R = G = B) it decides whether a and b come out exactly 0 and which tiny
// hue they carry, which noise-cie-lch turns into visible decisions.
//
// Pure functions; thread-safe.
#pragma once

namespace imgflo::runtime {

struct Lch {
  float l = 0;  // lightness, 0..100 for in-gamut colours
  float c = 0;  // chroma, >= 0
  float h = 0;  // hue angle in degrees, [0, 360)
};

Lch lch_from_linear_rgb(float r, float g, float b);
// Writes linear r, g, b (not clamped: out-of-gamut values stay out of range).
void linear_rgb_from_lch(const Lch& lch, float rgb[3]);

}  // namespace imgflo::runtime
