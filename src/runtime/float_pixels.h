// Float pixel buffers for ops that compute in C++ loops.
//
// Some GEGL ops need neighbourhoods libvips cannot express (random sampling,
// in-place diffusion, per-pixel hashing of coordinates). They read their
// input as an in-memory float image, compute row by row (possibly on several
// threads, with runtime/parallel.h) and hand the result back as a VImage:
//
//   auto src = read_float_pixels(convert(input, fmt::kRGBAFloat).pixels, ctx);
//   FloatPixels dst = FloatPixels::create(w, h, 2);
//   if (auto e = parallel_rows(h, ctx.stop(), [&](int y) { ... dst.row(y) ... })) return *e;
//   return Image{dst.image(), fmt::kYAFloat, input.x, input.y};
//
// Thread-safety: distinct rows of one FloatPixels may be written from
// different threads at once; reading is always safe.
#pragma once

#include "core/error.h"
#include "runtime/op.h"

#include <vips/vips8>

namespace imgflo::runtime {

// A band-interleaved float image held in memory by libvips (the VImage owns
// the pixels; copies of a FloatPixels share them).
class FloatPixels {
 public:
  // A new, uninitialised width x height image with `bands` float bands.
  // Throws vips::VError when the memory cannot be allocated.
  static FloatPixels create(int width, int height, int bands);

  int width() const { return width_; }
  int height() const { return height_; }
  int bands() const { return bands_; }
  const float* row(int y) const { return data_ + static_cast<size_t>(y) * stride(); }
  float* row(int y) { return data_ + static_cast<size_t>(y) * stride(); }
  const float* at(int x, int y) const { return row(y) + static_cast<size_t>(x) * bands_; }
  size_t stride() const { return static_cast<size_t>(width_) * bands_; }  // floats per row

  // The pixels as a VImage (shares the memory; write all rows first).
  const vips::VImage& image() const { return image_; }

 private:
  friend Result<FloatPixels> read_float_pixels(const vips::VImage& img, const OpContext& ctx);
  explicit FloatPixels(vips::VImage image);

  vips::VImage image_;
  float* data_ = nullptr;
  int width_ = 0, height_ = 0, bands_ = 0;
};

// Computes `img` (any band format; cast to float) into memory. Stops early
// with the deadline/cancel Error.
Result<FloatPixels> read_float_pixels(const vips::VImage& img, const OpContext& ctx);

}  // namespace imgflo::runtime
