// Colours as graph properties carry them.
//
// Stored the way GEGL stores a GeglColor: linear-light RGBA doubles (sRGB
// primaries). Parsing follows GEGL's gegl_color_new(): "#rgb", "#rgba",
// "#rrggbb", "#rrggbbaa" (sRGB-encoded), "rgb(r,g,b)" / "rgba(r,g,b,a)" with
// linear-light floats 0..1, the 16 basic CSS names and "none" (all
// case-insensitive). Unlike GEGL, an unparsable string is an error instead of
// silently becoming cyan.
#pragma once

#include "core/error.h"

#include <array>
#include <string>
#include <string_view>

namespace imgflo {

// sRGB transfer curve on one channel (extended linearly below the knee).
double srgb_to_linear(double v);
double linear_to_srgb(double v);

struct Color {
  double r = 0, g = 0, b = 0, a = 1;  // linear light, straight alpha

  static Result<Color> parse(std::string_view text);
  static Color from_srgb(double r, double g, double b, double a = 1.0);

  // Perceptual (sRGB-encoded) channels, alpha unchanged.
  std::array<double, 4> srgb() const;
  std::array<double, 4> linear() const { return {r, g, b, a}; }
  // "#rrggbbaa" (sRGB-encoded, rounded), as the graph catalogue shows defaults.
  std::string to_hex() const;

  bool operator==(const Color&) const = default;
};

}  // namespace imgflo
