#include "runtime/image.h"

#include "core/color.h"
#include "runtime/pixel_convert.h"
#include "runtime/srgb_u8.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace imgflo::runtime {

using vips::VImage;

std::string PixelFormat::name() const {
  const bool p = trc == Trc::kPerceptual;
  const std::string prime = p ? "'" : "";
  const std::string pre = premultiplied ? "a" : "";
  std::string n;
  if (is_grey()) {
    n = "Y" + prime + (premultiplied ? "a" : "");
  } else {
    n = "R" + prime + pre + "G" + prime + pre + "B" + prime + pre;
  }
  if (has_alpha()) n += "A";
  n += depth == Depth::kU8 ? " u8" : depth == Depth::kU16 ? " u16" : " float";
  return n;
}

Rect Rect::united(const Rect& o) const {
  if (empty()) return o;
  if (o.empty()) return *this;
  const int x0 = std::min(x, o.x), y0 = std::min(y, o.y);
  const int x1 = std::max(x + width, o.x + o.width), y1 = std::max(y + height, o.y + o.height);
  return Rect{x0, y0, x1 - x0, y1 - y0};
}

PixelFormat with_alpha(PixelFormat f) {
  if (f.model == Model::kY) f.model = Model::kYA;
  if (f.model == Model::kRGB) f.model = Model::kRGBA;
  return f;
}

namespace {

double depth_max(Depth d) { return d == Depth::kU8 ? 255.0 : d == Depth::kU16 ? 65535.0 : 1.0; }

// A 1-row lookup table image over static storage (lives for the process).
VImage lut_image(std::vector<float>& data) {
  return VImage::new_from_memory(data.data(), data.size() * sizeof(float), static_cast<int>(data.size()), 1, 1,
                                 VIPS_FORMAT_FLOAT);
}

// Integer sRGB-encoded code value -> linear float.
const VImage& decode_lut(Depth depth) {
  static std::vector<float> u8(srgb_u8_to_linear_table(), srgb_u8_to_linear_table() + 256);
  static std::vector<float> u16 = [] {
    std::vector<float> t(65536);
    for (int i = 0; i < 65536; ++i) t[i] = static_cast<float>(srgb_to_linear(i / 65535.0));
    return t;
  }();
  static const VImage lut8 = lut_image(u8);
  static const VImage lut16 = lut_image(u16);
  return depth == Depth::kU8 ? lut8 : lut16;
}

// Linear value quantised to 16 bits -> sRGB-encoded u16 code value (u8
// results are rounded exactly by encode_srgb_u8).
const VImage& encode_lut16() {
  static std::vector<float> table = [] {
    std::vector<float> t(65536);
    for (int i = 0; i < 65536; ++i) t[i] = static_cast<float>(std::floor(linear_to_srgb(i / 65535.0) * 65535.0 + 0.5));
    return t;
  }();
  static const VImage lut16 = lut_image(table).cast(VIPS_FORMAT_USHORT);
  return lut16;
}

// Float [0, 1] (unclamped) -> integer code values of `depth`, rounded, clipped.
VImage quantise(const VImage& v, Depth depth) {
  const double max = depth_max(depth);
  return (v * max + 0.5).cast(depth == Depth::kU8 ? VIPS_FORMAT_UCHAR : VIPS_FORMAT_USHORT);
}

VImage luminance(const VImage& linear_rgb) {
  // babl's luminance for sRGB: the Y row of its RGB -> XYZ (D50) matrix, as
  // babl computes it from the primaries (the same row as cie_lch.cc).
  return linear_rgb.recomb(
      VImage::new_matrixv(3, 1, 0.22248794002686589, 0.71690383887925313, 0.060608257216285655));
}

// Working state of a conversion: colour and (optional) alpha bands.
struct Planes {
  VImage colour;
  VImage alpha;  // valid iff has_alpha
  bool has_alpha = false;
  PixelFormat f;
};

Planes split(const Image& src) {
  Planes p;
  p.f = src.format;
  p.colour = colour_bands(src);
  p.has_alpha = src.format.has_alpha();
  if (p.has_alpha) p.alpha = src.pixels.extract_band(src.format.colour_bands());
  return p;
}

void to_float(Planes& p, bool want_linear) {
  if (p.f.depth == Depth::kFloat) return;
  const double scale = 1.0 / depth_max(p.f.depth);
  if (want_linear && p.f.trc == Trc::kPerceptual) {
    p.colour = p.colour.maplut(decode_lut(p.f.depth));
    p.f.trc = Trc::kLinear;
  } else {
    p.colour = p.colour.cast(VIPS_FORMAT_FLOAT) * scale;
  }
  if (p.has_alpha) p.alpha = p.alpha.cast(VIPS_FORMAT_FLOAT) * scale;
  p.f.depth = Depth::kFloat;
}

void set_trc(Planes& p, Trc trc) {
  if (p.f.trc == trc) return;
  p.colour = trc == Trc::kLinear ? srgb_decode(p.colour) : srgb_encode(p.colour);
  p.f.trc = trc;
}

}  // namespace

VImage srgb_encode(const VImage& v) {
  const VImage curve = (v.pow(1.0 / 2.4) * 1.055) - 0.055;
  return (v <= 0.0031308).ifthenelse(v * 12.92, curve);
}

VImage srgb_decode(const VImage& v) {
  const VImage curve = ((v + 0.055) / 1.055).pow(2.4);
  return (v <= 0.04045).ifthenelse(v / 12.92, curve);
}

VImage colour_bands(const Image& img) {
  const int n = img.format.colour_bands();
  if (img.pixels.bands() == n) return img.pixels;
  return img.pixels.extract_band(0, VImage::option()->set("n", n));
}

VImage alpha_band(const Image& img) {
  if (img.format.has_alpha()) return img.pixels.extract_band(img.format.colour_bands());
  const double one = depth_max(img.format.depth);
  return img.pixels.extract_band(0).new_from_image(one);
}

VImage join_bands(const VImage& colour, const VImage& alpha) { return VImage::bandjoin({colour, alpha}); }

Image convert(const Image& src, PixelFormat dst) {
  if (src.format == dst) return src;
  if (auto one_pass = convert_in_one_pass(src, dst)) return *one_pass;
  return convert_by_vips_ops(src, dst);
}

Image convert_by_vips_ops(const Image& src, PixelFormat dst) {
  if (src.format == dst) return src;
  Planes p = split(src);
  const bool rgb_to_y = !p.f.is_grey() && dst.is_grey();
  const bool y_to_rgb = p.f.is_grey() && !dst.is_grey();

  to_float(p, dst.trc == Trc::kLinear || rgb_to_y);

  const bool model_change = rgb_to_y || y_to_rgb || (p.has_alpha != dst.has_alpha());
  if (p.f.premultiplied && (!dst.premultiplied || p.f.trc != dst.trc || model_change)) {
    p.colour = p.colour / p.alpha;  // vips: x / 0 = 0, so transparent pixels become black
    p.f.premultiplied = false;
  }

  if (rgb_to_y) {
    set_trc(p, Trc::kLinear);
    p.colour = luminance(p.colour);
  } else if (y_to_rgb) {
    p.colour = VImage::bandjoin({p.colour, p.colour, p.colour});
  }

  // Linear float to integer perceptual goes through one quantising LUT.
  const bool lut_encode =
      dst.depth != Depth::kFloat && dst.trc == Trc::kPerceptual && p.f.trc == Trc::kLinear && !dst.premultiplied;
  if (!lut_encode) set_trc(p, dst.trc);

  if (!dst.has_alpha()) {
    p.has_alpha = false;
  } else if (!p.has_alpha) {
    p.alpha = p.colour.extract_band(0).new_from_image(1.0).cast(VIPS_FORMAT_FLOAT);
    p.has_alpha = true;
  }
  if (dst.premultiplied && !p.f.premultiplied) p.colour = p.colour * p.alpha;

  if (dst.depth != Depth::kFloat) {
    if (lut_encode && dst.depth == Depth::kU8) {
      p.colour = encode_srgb_u8(p.colour);
    } else if (lut_encode) {
      p.colour = (p.colour * 65535.0 + 0.5).cast(VIPS_FORMAT_USHORT).maplut(encode_lut16());
    } else {
      p.colour = quantise(p.colour, dst.depth);
    }
    if (p.has_alpha) p.alpha = quantise(p.alpha, dst.depth);
  }

  Image out{p.has_alpha ? join_bands(p.colour, p.alpha) : p.colour, dst, src.x, src.y};
  return out;
}

Image place(const Image& src, const Rect& area) {
  if (src.extent() == area) return src;
  const Rect e = src.extent();
  // The part of the source inside `area` (libvips' embed refuses offsets
  // that put the whole image outside its canvas).
  const int x0 = std::max(e.x, area.x), y0 = std::max(e.y, area.y);
  const int x1 = std::min(e.x + e.width, area.x + area.width), y1 = std::min(e.y + e.height, area.y + area.height);
  VImage v;
  if (x1 <= x0 || y1 <= y0) {
    v = VImage::black(area.width, area.height, VImage::option()->set("bands", src.pixels.bands()))
            .cast(src.pixels.format());
  } else {
    v = src.pixels.extract_area(x0 - e.x, y0 - e.y, x1 - x0, y1 - y0);
    if (x1 - x0 != area.width || y1 - y0 != area.height) {
      v = v.embed(x0 - area.x, y0 - area.y, area.width, area.height,
                  VImage::option()->set("extend", VIPS_EXTEND_BLACK));
    }
  }
  return Image{v, src.format, area.x, area.y};
}

}  // namespace imgflo::runtime
