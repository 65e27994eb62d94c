// Linear-light float -> sRGB-encoded u8, correctly rounded.
//
// GEGL (babl) encodes with the sRGB curve in floating point (plus 3 x 2^-24,
// so that 1 maps to 1) and rounds half up: the 8-bit level is
// round(255 * (srgb(v) + 3 x 2^-24)), reproduced here exactly. A lookup
// on a 16-bit quantised linear value is off by one level near every rounding
// boundary (0.5 % of a photo's pixels), which JPEG's block transform can
// spread to dE ~3 (issue 10: customgrey). This is exact and still a lookup:
// each of 65536 linear buckets holds at most one u8 boundary (the closest two
// are 1 / (255 x 12.92) apart, 20 buckets), so the result is the bucket's
// lower value plus one when the sample reaches that boundary.
#pragma once

#include <vips/vips8>

#include <cstdint>

namespace imgflo::runtime {

// `linear`: float bands, any values (below 0 -> 0, above 1 -> 255; not NaN).
// Returns uchar bands: the count of levels k in 1..255 whose boundary
// srgb_to_linear((k - 0.5) / 255 - 3 x 2^-24) is <= the sample. A lazy pipeline.
vips::VImage encode_srgb_u8(const vips::VImage& linear);

// The same for one sample, with the same float steps as the pipeline above
// (runtime/pixel_convert's one-pass conversions).
uint8_t encode_srgb_u8_sample(float linear);

}  // namespace imgflo::runtime
