#include "canvas/surface.h"

#include <cstring>
#include <vector>

namespace imgflo::canvas {

namespace {

// Channel byte offsets of Cairo's native-endian 0xAARRGGBB words.
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr int kA = 3, kR = 2, kG = 1, kB = 0;
#else
constexpr int kA = 0, kR = 1, kG = 2, kB = 3;
#endif

uint8_t unpremultiply(uint8_t c, uint8_t a) { return a == 0 ? 0 : static_cast<uint8_t>((c * 255 + a / 2) / a); }
uint8_t premultiply(uint8_t c, uint8_t a) {
  const unsigned t = c * a + 0x80;
  return static_cast<uint8_t>((t + (t >> 8)) >> 8);
}

}  // namespace

Result<Surface> Surface::create(int width, int height) {
  if (width < 1 || height < 1) {
    return Error(ErrorKind::kInvalidArgument, "canvas size must be positive, got " + std::to_string(width) + "x" +
                                                  std::to_string(height));
  }
  if (width > kMaxSide || height > kMaxSide) {
    return Error(ErrorKind::kTooLarge, "canvas sides are limited to " + std::to_string(kMaxSide) + " pixels");
  }
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    return Error(ErrorKind::kTooLarge, "cannot allocate a " + std::to_string(width) + "x" + std::to_string(height) +
                                           " canvas");
  }
  return Surface(width, height, s, cairo_create(s));
}

void Surface::draw_image(const runtime::Image& image) {
  const runtime::Image rgba = runtime::convert(image, runtime::fmt::kRpGpBpAU8);
  const int w = rgba.width(), h = rgba.height();
  size_t size = 0;
  std::unique_ptr<void, decltype(&g_free)> mem(rgba.pixels.write_to_memory(&size), &g_free);
  cairo_surface_t* src = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
  cairo_surface_flush(src);
  unsigned char* dst = cairo_image_surface_get_data(src);
  const int stride = cairo_image_surface_get_stride(src);
  const auto* in = static_cast<const uint8_t*>(mem.get());
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const uint8_t* p = in + (static_cast<size_t>(y) * w + x) * 4;
      uint8_t* q = dst + static_cast<size_t>(y) * stride + x * 4;
      q[kA] = p[3];
      q[kR] = premultiply(p[0], p[3]);
      q[kG] = premultiply(p[1], p[3]);
      q[kB] = premultiply(p[2], p[3]);
    }
  }
  cairo_surface_mark_dirty(src);
  cairo_t* cr = cr_.get();
  cairo_save(cr);
  cairo_scale(cr, static_cast<double>(width_) / w, static_cast<double>(height_) / h);
  cairo_set_source_surface(cr, src, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
  cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);  // no fading at the borders
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(src);
}

vips::VImage Surface::export_pixels(bool straight_alpha) const {
  cairo_surface_flush(surface_.get());
  const unsigned char* data = cairo_image_surface_get_data(surface_.get());
  const int stride = cairo_image_surface_get_stride(surface_.get());
  const int bands = straight_alpha ? 4 : 3;
  std::vector<uint8_t> out(static_cast<size_t>(width_) * height_ * bands);
  for (int y = 0; y < height_; ++y) {
    const unsigned char* row = data + static_cast<size_t>(y) * stride;
    uint8_t* o = out.data() + static_cast<size_t>(y) * width_ * bands;
    for (int x = 0; x < width_; ++x, o += bands) {
      const unsigned char* p = row + x * 4;
      const uint8_t a = p[kA];
      o[0] = straight_alpha ? unpremultiply(p[kR], a) : p[kR];
      o[1] = straight_alpha ? unpremultiply(p[kG], a) : p[kG];
      o[2] = straight_alpha ? unpremultiply(p[kB], a) : p[kB];
      if (straight_alpha) o[3] = a;
    }
  }
  VipsImage* im = vips_image_new_from_memory_copy(out.data(), out.size(), width_, height_, bands, VIPS_FORMAT_UCHAR);
  if (!im) throw vips::VError();
  return vips::VImage(im).copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

runtime::Image Surface::to_rgba() const { return runtime::Image{export_pixels(true), runtime::fmt::kRpGpBpAU8, 0, 0}; }

runtime::Image Surface::to_rgb_over_black() const {
  return runtime::Image{export_pixels(false), runtime::fmt::kRpGpBpU8, 0, 0};
}

}  // namespace imgflo::canvas
