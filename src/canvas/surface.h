// The canvas pixels: a Cairo ARGB32 image surface (premultiplied, what
// node-canvas drew on) with its drawing context, owned RAII.
//
// Not thread-safe: a Surface belongs to one run.
#pragma once

#include "core/error.h"
#include "runtime/image.h"

#include <cairo.h>

#include <memory>

namespace imgflo::canvas {

class Surface {
 public:
  // Largest side Cairo image surfaces support.
  static constexpr int kMaxSide = 32767;

  // A transparent width x height canvas. kTooLarge beyond kMaxSide,
  // kInvalidArgument for sides < 1.
  static Result<Surface> create(int width, int height);

  int width() const { return width_; }
  int height() const { return height_; }
  cairo_t* context() const { return cr_.get(); }

  // Paints `image` (any runtime format) scaled to cover the whole canvas, as
  // drawImage(img, 0, 0, width, height) with Cairo's "good" filter.
  void draw_image(const runtime::Image& image);

  // Straight-alpha R'G'B'A u8 (Cairo's PNG writer un-premultiplies the same way).
  runtime::Image to_rgba() const;
  // R'G'B' u8 of the premultiplied pixels, i.e. composited over black (what
  // node-canvas's JPEG writer stored).
  runtime::Image to_rgb_over_black() const;

 private:
  struct SurfaceFree {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
  };
  struct ContextFree {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
  };
  Surface(int w, int h, cairo_surface_t* s, cairo_t* c) : width_(w), height_(h), surface_(s), cr_(c) {}
  // Copies the pixels out as u8 bands: 4 straight RGBA, or 3 premultiplied RGB.
  vips::VImage export_pixels(bool straight_alpha) const;

  int width_;
  int height_;
  std::unique_ptr<cairo_surface_t, SurfaceFree> surface_;
  std::unique_ptr<cairo_t, ContextFree> cr_;
};

}  // namespace imgflo::canvas
