// Shared machinery of the svg:* compositing ops (src-over, screen,
// color-dodge), GEGL's SVG 1.2 blend family.
//
// Both pads are converted to premultiplied float in linear light, or in
// perceptual (sRGB-encoded) values when the op's `srgb` property is true, and
// placed on the union of their extents (outside an image its pixels are
// transparent). `input` is the backdrop B, `aux` the source A. The blend
// function gives the colour channels; alpha is always aD = aA + aB - aA*aB.
// Without aux, the input passes through unchanged.
#pragma once

#include "runtime/ops/ops.h"

#include <functional>
#include <string>

namespace imgflo::runtime::ops {

struct BlendPlanes {
  vips::VImage cA, aA;  // source (aux): premultiplied colour bands, alpha band
  vips::VImage cB, aB;  // backdrop (input)
  vips::VImage aD;      // result alpha
};

// Returns the result's premultiplied colour bands.
using BlendFunction = std::function<vips::VImage(const BlendPlanes&)>;

std::unique_ptr<Op> make_svg_blend_op(std::string component, std::string description, bool srgb_default,
                                      BlendFunction blend);

// min(max(v, lo), hi) for images (lo/hi broadcast per band).
vips::VImage clamp_between(const vips::VImage& v, const vips::VImage& lo, const vips::VImage& hi);

}  // namespace imgflo::runtime::ops
