// Band-interleaved float images in memory, for ops whose pixel work is C++
// loops rather than libvips pipelines (IIR filters, neighbourhoods with GEGL's
// edge rules).
//
//   auto in = ctx.materialize(convert(img, work).pixels);   // lazy -> memory
//   FloatPlane src = plane_of(*in);                          // read it
//   auto out = new_float_image(w, h, bands, true);           // write here
//   ... return Image{out->image, work, x, y};
#pragma once

#include "core/error.h"

#include <vips/vips8>

#include <cstddef>

namespace imgflo::runtime::ops {

// A view of float pixels: `channels` floats per pixel, rows `stride` floats
// apart. Does not own the memory; valid while the VImage it came from lives.
struct FloatPlane {
  float* data = nullptr;
  int width = 0, height = 0, channels = 0;
  size_t stride = 0;
  float* row(int y) const { return data + static_cast<size_t>(y) * stride; }
};

// REQUIRES: `memory_image` is a float image whose pixels are in memory (the
// result of OpContext::materialize or new_float_image). The view is writable
// only for images this op created; materialized inputs may be shared and must
// be treated as read-only.
FloatPlane plane_of(const vips::VImage& memory_image);

struct FloatImage {
  vips::VImage image;  // owns the pixels
  FloatPlane plane;
};

// A new width x height float image with `bands` bands in memory, zero-filled
// when `zero` (otherwise the contents are undefined until written).
Result<FloatImage> new_float_image(int width, int height, int bands, bool zero);

}  // namespace imgflo::runtime::ops
