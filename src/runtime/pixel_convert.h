// convert() (runtime/image.h) for u8 and float formats in one pass.
//
// The conversion libvips would run as a chain of arithmetic operations
// (extract, cast, linear, divide, pow, ifthenelse, recomb, bandjoin, ...),
// computed per pixel in a single point_map() with the same arithmetic in the
// same order and precision as those operations (libvips 8.14: one-constant
// `linear` in float, `pow` in double rounded to float, relational constants
// compared in double, recomb summed in double, x / 0 = 0, float -> integer casts
// clip then truncate), so every result is bit-identical to the chain's
// (tests/unit/pixel_convert_test.cc checks it against convert_by_vips_ops()).
// An input without alpha gets no alpha band unless the target has one: no
// constant band is made and joined.
#pragma once

#include "runtime/image.h"

#include <optional>

namespace imgflo::runtime {

// The conversion, or nullopt when a side is 16-bit (convert() then takes the
// vips chain).
std::optional<Image> convert_in_one_pass(const Image& src, PixelFormat dst);

// convert() as a chain of libvips operations: the path of 16-bit formats,
// and the reference the one-pass conversion is tested against.
Image convert_by_vips_ops(const Image& src, PixelFormat dst);

// sRGB-encoded 8-bit code value -> linear float: the 256 entries every u8
// decode uses (srgb_to_linear(i / 255) rounded to float).
const float* srgb_u8_to_linear_table();

// The sRGB curves on one float sample, as the libvips chains of
// srgb_encode()/srgb_decode() compute them.
float srgb_encode_sample(float linear);
float srgb_decode_sample(float perceptual);

}  // namespace imgflo::runtime
