// Band-interleaved float images in memory, for ops whose pixel work is C++
// loops rather than libvips pipelines (IIR filters, neighbourhoods with GEGL's
// edge rules).
//
//   RowReader in = region_rows(convert(img, work).pixels);   // lazy rows, any thread
//   auto out = new_float_image(w, h, bands, true);            // write here
//   ... return Image{out->image, work, x, y};
// (or ctx.materialize() + plane_of() when the whole input is needed at once).
#pragma once

#include "core/error.h"

#include <vips/vips8>

#include <cstddef>
#include <functional>

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

// Supplies rows of a float image to worker threads: reader(y, n, use) makes
// rows [y, y + n) available and calls use() with a view of them (row 0 of the
// view = row y), valid during the call. Returns false when the rows cannot be
// produced (libvips failed, e.g. on corrupt input data). Thread-safe.
using RowReader = std::function<bool(int y, int n, const std::function<void(const FloatPlane&)>& use)>;

// Rows computed on demand through `img`'s libvips pipeline, each call on its
// own region (so the conversion work runs on the calling worker thread).
// REQUIRES: `img` has float band format. The reader keeps `img` alive.
RowReader region_rows(const vips::VImage& img);

struct FloatImage {
  vips::VImage image;  // owns the pixels
  FloatPlane plane;
};

// A new width x height float image with `bands` bands in memory, zero-filled
// when `zero` (otherwise the contents are undefined until written).
Result<FloatImage> new_float_image(int width, int height, int bands, bool zero);

}  // namespace imgflo::runtime::ops
