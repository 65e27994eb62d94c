#include "runtime/pixel_convert.h"

#include "core/color.h"
#include "runtime/point_kernel.h"
#include "runtime/srgb_u8.h"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace imgflo::runtime {

namespace {

// libvips' `linear` with one constant pair on a float image: a * p + b in float.
inline float linear1(float a, float p, float b) { return a * p + b; }

// libvips' float -> uchar cast: clip, then truncate.
inline uint8_t to_u8(float v) {
  if (!(v > 0.0f)) return 0;
  if (v >= 255.0f) return 255;
  return static_cast<uint8_t>(v);
}

// libvips' divide on floats: x / 0 = 0.
inline float divide(float x, float y) { return y == 0.0f ? 0.0f : x / y; }

// babl's luminance row, as luminance() in image.cc hands it to recomb.
constexpr std::array<double, 3> kLuma = {0.22248794002686589, 0.71690383887925313, 0.060608257216285655};

// One pixel while it is converted: colour samples (1 or 3) and alpha.
struct Px {
  std::array<float, 3> c{};
  float a = 1.0f;
};

// The steps convert() takes for one pair of formats, decided once.
struct Plan {
  PixelFormat src, dst;
  bool decode_u8 = false;      // u8 perceptual -> linear through the table
  bool unpremultiply = false;  // colour / alpha
  bool decode_before_y = false, rgb_to_y = false, y_to_rgb = false;
  int set_trc = 0;  // +1 encode, -1 decode, 0 none
  bool add_alpha = false, premultiply = false;
  bool lut_encode = false;  // linear float -> perceptual u8, exactly rounded
  int in_colour = 3, out_colour = 3;
  bool in_alpha = false, out_alpha = false;
};

Plan make_plan(PixelFormat src, PixelFormat dst) {
  Plan p{src, dst};
  p.in_colour = src.colour_bands();
  p.out_colour = dst.colour_bands();
  p.in_alpha = src.has_alpha();
  p.out_alpha = dst.has_alpha();
  PixelFormat f = src;
  const bool rgb_to_y = !f.is_grey() && dst.is_grey();
  const bool y_to_rgb = f.is_grey() && !dst.is_grey();
  const bool want_linear = dst.trc == Trc::kLinear || rgb_to_y;
  if (f.depth != Depth::kFloat) {
    p.decode_u8 = want_linear && f.trc == Trc::kPerceptual;
    if (p.decode_u8) f.trc = Trc::kLinear;
    f.depth = Depth::kFloat;
  }
  const bool model_change = rgb_to_y || y_to_rgb || (src.has_alpha() != dst.has_alpha());
  if (f.premultiplied && (!dst.premultiplied || f.trc != dst.trc || model_change)) {
    p.unpremultiply = true;
    f.premultiplied = false;
  }
  if (rgb_to_y) {
    p.decode_before_y = f.trc == Trc::kPerceptual;
    f.trc = Trc::kLinear;
    p.rgb_to_y = true;
  } else if (y_to_rgb) {
    p.y_to_rgb = true;
  }
  p.lut_encode = dst.depth != Depth::kFloat && dst.trc == Trc::kPerceptual && f.trc == Trc::kLinear &&
                 !dst.premultiplied;
  if (!p.lut_encode && f.trc != dst.trc) p.set_trc = dst.trc == Trc::kPerceptual ? 1 : -1;
  p.add_alpha = dst.has_alpha() && !src.has_alpha();
  p.premultiply = dst.premultiplied && !f.premultiplied;
  return p;
}

// Reads pixel x of a row in the source's depth, to float (to_float in image.cc).
template <typename T>
Px read(const T* row, int x, const Plan& p) {
  const int n = p.in_colour + (p.in_alpha ? 1 : 0);
  const T* s = row + static_cast<ptrdiff_t>(x) * n;
  Px px;
  if constexpr (std::is_same_v<T, uint8_t>) {
    const float* decode = srgb_u8_to_linear_table();
    const float scale = static_cast<float>(1.0 / 255.0);
    for (int k = 0; k < p.in_colour; ++k) px.c[k] = p.decode_u8 ? decode[s[k]] : linear1(scale, s[k], 0.0f);
    if (p.in_alpha) px.a = linear1(scale, s[p.in_colour], 0.0f);
  } else {
    for (int k = 0; k < p.in_colour; ++k) px.c[k] = s[k];
    if (p.in_alpha) px.a = s[p.in_colour];
  }
  return px;
}

void apply_trc(Px& px, int n, int direction) {
  for (int k = 0; k < n; ++k) px.c[k] = direction > 0 ? srgb_encode_sample(px.c[k]) : srgb_decode_sample(px.c[k]);
}

// The middle of convert(): everything between reading and quantising.
void transform(Px& px, const Plan& p) {
  int n = p.in_colour;
  if (p.unpremultiply) {
    for (int k = 0; k < n; ++k) px.c[k] = divide(px.c[k], px.a);
  }
  if (p.rgb_to_y) {
    if (p.decode_before_y) apply_trc(px, n, -1);
    double t = 0.0;
    for (int k = 0; k < 3; ++k) t += kLuma[k] * px.c[k];
    px.c[0] = static_cast<float>(t);
    n = 1;
    if (p.set_trc != 0) apply_trc(px, n, p.set_trc);
  } else if (p.y_to_rgb) {
    if (p.set_trc != 0) apply_trc(px, 1, p.set_trc);  // the same curve on three equal samples
    px.c[1] = px.c[2] = px.c[0];
    n = 3;
  } else if (p.set_trc != 0) {
    apply_trc(px, n, p.set_trc);
  }
  if (p.premultiply) {
    for (int k = 0; k < n; ++k) px.c[k] = px.c[k] * px.a;
  }
}

// quantise() in image.cc: (v * 255 + 0.5) cast to uchar, each step in float.
inline uint8_t quantise_u8(float v) { return to_u8(linear1(1.0f, linear1(255.0f, v, 0.0f), 0.5f)); }

template <typename In, typename Out>
void convert_row(const Plan& p, const void* in, void* out, int width) {
  const auto* src = static_cast<const In*>(in);
  auto* dst = static_cast<Out*>(out);
  const int n = p.out_colour;
  const int stride = n + (p.out_alpha ? 1 : 0);
  for (int x = 0; x < width; ++x) {
    Px px = read(src, x, p);
    transform(px, p);
    Out* d = dst + static_cast<ptrdiff_t>(x) * stride;
    if constexpr (std::is_same_v<Out, uint8_t>) {
      for (int k = 0; k < n; ++k) d[k] = p.lut_encode ? encode_srgb_u8_sample(px.c[k]) : quantise_u8(px.c[k]);
      if (p.out_alpha) d[n] = quantise_u8(px.a);
    } else {
      for (int k = 0; k < n; ++k) d[k] = px.c[k];
      if (p.out_alpha) d[n] = px.a;
    }
  }
}

template <typename In>
RowFunction row_function(const Plan& p) {
  if (p.dst.depth == Depth::kU8) {
    return [p](const void* const* in, void* out, int width) { convert_row<In, uint8_t>(p, in[0], out, width); };
  }
  return [p](const void* const* in, void* out, int width) { convert_row<In, float>(p, in[0], out, width); };
}

// float(pow(v, k)) for v > 0, as libvips computes it (glibc's pow in double,
// rounded to float), without calling pow for almost every v: v = m 2^e with
// m in [1, 2) splits into 2^(e k) (one entry per exponent), m0^k for m0 = m's
// top 10 mantissa bits (1024 entries) and (1 + r)^k, r = m / m0 - 1 < 2^-10,
// by its Taylor series to r^5 (relative error below 1e-15 in all). When the
// result is that close to the middle between two floats (about 1 in 10^7
// samples), the rounding could go either way and glibc's pow decides.
class FloatPow {
 public:
  explicit FloatPow(double k) : k_(k) {
    for (int e = 0; e < kExponents; ++e) by_exponent_[e] = std::pow(2.0, (e - kExponentBias) * k);
    for (int j = 0; j < kSteps; ++j) {
      const double m0 = 1.0 + j / static_cast<double>(kSteps);
      by_step_[j] = std::pow(m0, k);
      inverse_step_[j] = 1.0 / m0;
    }
    double c = 1.0;
    for (int i = 0; i < kTerms; ++i) {
      c *= (k - i) / (i + 1);
      coefficient_[i] = c;
    }
  }

  float operator()(float v) const {
    if (!(v > 0.0f)) return slow(v);
    uint32_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    const int e = static_cast<int>(bits >> 23);  // biased exponent (v > 0: no sign bit)
    if (e == 0 || e == 255) return slow(v);      // subnormals, inf, NaN
    const uint32_t j = (bits >> (23 - kStepBits)) & (kSteps - 1);
    const double m = 1.0 + (bits & 0x7fffff) / 8388608.0;
    const double m0 = 1.0 + j / static_cast<double>(kSteps);
    const double r = (m - m0) * inverse_step_[j];
    double series = 0.0;
    for (int i = kTerms - 1; i >= 0; --i) series = (series + coefficient_[i]) * r;
    const double y = by_exponent_[e] * by_step_[j] * (1.0 + series);
    const auto lo = static_cast<float>(y * (1.0 - kMargin)), hi = static_cast<float>(y * (1.0 + kMargin));
    return lo == hi ? lo : slow(v);
  }

 private:
  float slow(float v) const { return static_cast<float>(std::pow(static_cast<double>(v), k_)); }

  static constexpr int kStepBits = 10, kSteps = 1 << kStepBits, kTerms = 5;
  static constexpr int kExponents = 256, kExponentBias = 127;
  static constexpr double kMargin = 4e-15;  // well above the approximation's error
  double k_;
  std::array<double, kExponents> by_exponent_{};
  std::array<double, kSteps> by_step_{}, inverse_step_{};
  std::array<double, kTerms> coefficient_{};
};

}  // namespace

const float* srgb_u8_to_linear_table() {
  static const std::array<float, 256> table = [] {
    std::array<float, 256> t{};
    for (int i = 0; i < 256; ++i) t[i] = static_cast<float>(srgb_to_linear(i / 255.0));
    return t;
  }();
  return table.data();
}

float srgb_encode_sample(float v) {
  // (v.pow(1 / 2.4) * 1.055) - 0.055 where v > 0.0031308 (libvips 8.14
  // compares with the constant in double).
  if (static_cast<double>(v) <= 0.0031308) return linear1(static_cast<float>(12.92), v, 0.0f);
  static const FloatPow power_of(1.0 / 2.4);
  const float power = power_of(v);
  return linear1(1.0f, linear1(static_cast<float>(1.055), power, 0.0f), static_cast<float>(-0.055));
}

float srgb_decode_sample(float v) {
  // ((v + 0.055) / 1.055).pow(2.4); v / 12.92 at or below 0.04045.
  if (static_cast<double>(v) <= 0.04045) return linear1(static_cast<float>(1.0 / 12.92), v, 0.0f);
  const float base = linear1(static_cast<float>(1.0 / 1.055), linear1(1.0f, v, static_cast<float>(0.055)), 0.0f);
  static const FloatPow power_of(2.4);
  return base > 0.0f ? power_of(base) : static_cast<float>(std::pow(static_cast<double>(base), 2.4));
}

std::optional<Image> convert_in_one_pass(const Image& src, PixelFormat dst) {
  if (src.format.depth == Depth::kU16 || dst.depth == Depth::kU16) return std::nullopt;
  const Plan plan = make_plan(src.format, dst);
  const VipsBandFormat out_format = dst.depth == Depth::kU8 ? VIPS_FORMAT_UCHAR : VIPS_FORMAT_FLOAT;
  RowFunction fn = src.format.depth == Depth::kU8 ? row_function<uint8_t>(plan) : row_function<float>(plan);
  return Image{point_map({src.pixels}, dst.bands(), out_format, std::move(fn)), dst, src.x, src.y};
}

}  // namespace imgflo::runtime
