// imgfloextra/retro-curve (imgflo-components-extra, after GNOME Photos'
// "insta-curve"): Instagram-like colour curves, a point filter.
//
// Property `preset` (enum, default "none"): none / prog / indie / batcave /
// country, using the tables of 1977 / Brannan / Gotham / Nashville
// (retro_tables.h). "none" passes the input through untouched.
//
// Output format: R'G'B' without alpha (alpha is dropped after
// un-premultiplying), u8 or float after the path taken. The path follows the
// sample type of the *incoming* image, as the original chose its process
// function from the input's babl type:
//   * u8 input (8-bit JPEG/PNG, no rescale): per channel
//       out_c = A[X_c[in_c]]                         (direct table lookups)
//     indie then pushes each channel towards the largest one:
//       out_c += (u8)((max - out_c) * 0.1f + 0.5f)
//     country first maps in_c -> (u8)(clamp((in_c/255 - 0.5)*1.1 - 0.05 + 0.5, 0, 1) * 255)
//     but, like the original (an upstream bug), only for R; G and B skip it.
//   * any other input (u16 PNG, float after the width/height rescale):
//       x = v * 255, y = X_c[floor x] + (X_c[ceil x] - X_c[floor x]) * (x - floor x),
//       out = A[(u8) y] / 255
//     indices are C casts to u8 of the float (truncate, keep the low 8 bits,
//     as x86 does), so out-of-range values wrap around like the original's;
//     country applies (v - 0.5)*1.1 - 0.05 + 0.5 (unclamped) to all three
//     channels; indie's push truncates to 0 on floats and is skipped.
// All arithmetic mirrors the original's single-precision float steps.
// Extent: the input's.
#include "runtime/ops/lut_image.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/retro_tables.h"

#include <algorithm>

namespace imgflo::runtime::ops {

namespace {

using vips::VImage;

constexpr float kCountryContrast = 1.1f;
constexpr float kCountryBrightness = -0.05f;
constexpr float kIndieSaturation = 0.1f;

// The original's u8 brightness/contrast step for one code value.
uint8_t country_u8(int code) {
  float channel = static_cast<float>(code) / 255.0f;
  channel = (channel - 0.5f) * kCountryContrast + kCountryBrightness + 0.5f;
  channel = std::clamp(channel, 0.0f, 1.0f);
  return static_cast<uint8_t>(channel * 255.0f);
}

// 3-band u8 LUT: code -> A[X_c[pre_c(code)]].
VImage composed_u8_lut(const RetroPresetTables& t, RetroPreset preset) {
  std::vector<uint8_t> lut(256 * 3);
  for (int i = 0; i < 256; ++i) {
    for (int c = 0; c < 3; ++c) {
      const bool adjust = preset == RetroPreset::kCountry && c == 0;  // upstream bug: R only
      const int in = adjust ? country_u8(i) : i;
      lut[i * 3 + c] = t.master[t.channel[c][in]];
    }
  }
  return lut_image(lut, 3);
}

// indie: out_c += (u8)((max - out_c) * 0.1f + 0.5f); zero for the max channel.
VImage indie_push(const VImage& rgb) {
  std::vector<uint8_t> push(256);
  for (int d = 0; d < 256; ++d) {
    push[d] = static_cast<uint8_t>(static_cast<float>(d) * kIndieSaturation + 0.5f);
  }
  const VImage r = rgb.extract_band(0), g = rgb.extract_band(1), b = rgb.extract_band(2);
  VImage max = (r > g).ifthenelse(r, g);
  max = (max > b).ifthenelse(max, b);
  const VImage diff = (max - rgb).cast(VIPS_FORMAT_UCHAR);  // 0..255, never negative
  return (rgb + diff.maplut(lut_image(push, 1))).cast(VIPS_FORMAT_UCHAR);
}

Image run_u8(const Image& input, const RetroPresetTables& t, RetroPreset preset) {
  Image img = convert(input, fmt::kRpGpBpU8);
  VImage out = img.pixels.maplut(composed_u8_lut(t, preset));
  if (preset == RetroPreset::kIndie) out = indie_push(out);
  img.pixels = out;
  return img;
}

// C's (guint8) of an integral float on x86: truncate to int, keep the low byte.
VImage wrap_to_u8(const VImage& integral) { return (integral.cast(VIPS_FORMAT_INT) & 255).cast(VIPS_FORMAT_UCHAR); }

// Each step is one float operation, rounded like the original's float code.
VImage country_float(const VImage& v) {
  VImage x = v - 0.5;
  x = x * static_cast<double>(kCountryContrast);
  x = x + static_cast<double>(kCountryBrightness);
  return x + 0.5;
}

Image run_float(const Image& input, const RetroPresetTables& t, RetroPreset preset) {
  Image img = convert(input, fmt::kRpGpBpFloat);
  VImage v = img.pixels;
  if (preset == RetroPreset::kCountry) v = country_float(v);

  std::vector<float> channel(256 * 3), master(256);
  for (int i = 0; i < 256; ++i) {
    for (int c = 0; c < 3; ++c) channel[i * 3 + c] = static_cast<float>(t.channel[c][i]);
    master[i] = static_cast<float>(t.master[i]) / 255.0f;
  }
  const VImage channel_lut = lut_image(channel, 3);

  const VImage x = v * 255.0;
  const VImage lo = x.floor();
  const VImage frac = x - lo;
  const VImage y_lo = wrap_to_u8(lo).maplut(channel_lut);
  const VImage y_hi = wrap_to_u8(x.ceil()).maplut(channel_lut);
  const VImage y = y_lo + (y_hi - y_lo) * frac;  // within 0..255: a plain truncating cast
  img.pixels = y.cast(VIPS_FORMAT_UCHAR).maplut(lut_image(master, 1));
  return img;
}

class RetroCurveOp final : public SpecOp {
 public:
  RetroCurveOp()
      : SpecOp(streaming({"imgfloextra/retro-curve",
                "Apply a retro look: per-channel colour curves of a named preset",
                {"input"},
                {PropSpec::enumeration("preset", "Preset", {"none", "prog", "indie", "batcave", "country"}, 0)}})) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext&) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "imgfloextra/retro-curve has no input");
    const auto preset = static_cast<RetroPreset>(p.enum_index("preset"));
    if (preset == RetroPreset::kNone) return *in.input;
    auto tables = retro_preset_tables(preset);
    if (!tables.ok()) return tables.error();
    if (in.input->format.depth == Depth::kU8) return run_u8(*in.input, **tables, preset);
    return run_float(*in.input, **tables, preset);
  }
};

}  // namespace

std::unique_ptr<Op> make_retro_curve() { return std::make_unique<RetroCurveOp>(); }

}  // namespace imgflo::runtime::ops
