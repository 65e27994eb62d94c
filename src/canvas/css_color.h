// CSS colour strings as node-canvas (Cairo) accepted them for fillStyle.
//
//   "#rgb", "#rgba", "#rrggbb", "#rrggbbaa"     (via Color::parse)
//   "rgb(r, g, b)", "rgba(r, g, b, a)"         r, g, b in 0..255 (or n%), a in 0..1
//   "hsl(h, s%, l%)", "hsla(h, s%, l%, a)"
//   the CSS named colours and "transparent"    (case-insensitive)
//
// Values out of range are clamped. Colour channels are kept as 8-bit values
// (node-canvas stored colours as bytes); alpha keeps its precision.
// Unlike node-canvas, which silently ignored a colour it could not parse, an
// invalid string is an error (kInvalidArgument).
#pragma once

#include "core/error.h"

#include <cstdint>
#include <string_view>

namespace imgflo::canvas {

struct Rgba {
  uint8_t r = 0, g = 0, b = 0;  // sRGB-encoded
  double a = 1.0;               // 0..1, straight
  bool operator==(const Rgba&) const = default;
};

Result<Rgba> parse_css_color(std::string_view text);

}  // namespace imgflo::canvas
