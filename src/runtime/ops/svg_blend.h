// Shared machinery of the svg:* compositing ops (src-over, screen,
// color-dodge), GEGL's SVG 1.2 blend family.
//
// Both pads are converted to premultiplied float in linear light, or in
// perceptual (sRGB-encoded) values when the op's `srgb` property is true, and
// placed on the union of their extents (outside an image its pixels are
// transparent). `input` is the backdrop B, `aux` the source A. The blend
// function gives the colour channels; alpha is always aD = aA + aB - aA*aB.
// Without aux, the input passes through unchanged.
//
// The blend runs per pixel in one pass (runtime/point_kernel.h). Its float
// arithmetic is that of the libvips image expressions the ops were first
// written as (each step rounded to float; 1 - x as libvips' linear(-1, 1);
// x / 0 = 0), so results are bit-identical to them
// (tests/unit/svg_blend_kernel_test.cc).
#pragma once

#include "runtime/ops/ops.h"

#include <string>

namespace imgflo::runtime::ops {

// One premultiplied colour channel of the result from the source (cA, aA),
// the backdrop (cB, aB) and the result alpha aD.
using BlendChannel = float (*)(float cA, float aA, float cB, float aB, float aD);

std::unique_ptr<Op> make_svg_blend_op(std::string component, std::string description, bool srgb_default,
                                      BlendChannel blend);

// The blend of source `a` over backdrop `b`: two 4-band float images of the
// same size in the same premultiplied format. Lazy.
vips::VImage blend_images(const vips::VImage& a, const vips::VImage& b, BlendChannel blend);

// The three blends' channel functions (src_over.cc, screen.cc, color_dodge.cc).
float src_over_channel(float cA, float aA, float cB, float aB, float aD);
float screen_channel(float cA, float aA, float cB, float aB, float aD);
float color_dodge_channel(float cA, float aA, float cB, float aB, float aD);

// 1 - v as libvips computes `1.0 - image` (linear with a = -1, b = 1).
inline float one_minus(float v) { return -1.0f * v + 1.0f; }

// libvips' float division: x / 0 = 0.
inline float divide_or_zero(float x, float y) { return y == 0.0f ? 0.0f : x / y; }

// min(max(v, lo), hi), comparing in the same order as the ops' first form.
inline float clamp_between(float v, float lo, float hi) {
  const float above = v < lo ? lo : v;
  return above > hi ? hi : above;
}

}  // namespace imgflo::runtime::ops
