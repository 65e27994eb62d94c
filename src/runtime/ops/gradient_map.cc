// gegl/gradient-map (GEGL 0.3.10 workshop op): maps luminance to a colour
// gradient of up to five stops.
//
// Properties: color1..color5 (defaults black, white, white, white, white),
// stop1..stop5 (unbounded numbers, defaults 0, 1, 1, 1, 1), srgb (false).
// Input is read as "YA float" (linear Y) or, with srgb, "Y'A float"
// (sRGB-encoded Y); output is "RGBA float", or "R'G'B'A float" with srgb:
//   out.rgb = LUT[index].rgb, out.a = LUT[index].a * in.a,
//   index = (int) clamp(Y * 2047, 0, 2047)
// with the 2048-entry LUT of gradient_map.h, built per run from the property
// values. Lazy: one pass per pixel (runtime/point_kernel.h), so the image
// streams. Extent: the input's.
#include "runtime/ops/gradient_map.h"

#include "runtime/ops/ops.h"
#include "runtime/point_kernel.h"

#include <algorithm>
#include <memory>
#include <string>

namespace imgflo::runtime::ops {

GradientStops gradient_stops(const std::array<Color, kGradientStops>& colours,
                             const std::array<double, kGradientStops>& positions, bool srgb) {
  GradientStops stops{};
  for (int i = 0; i < kGradientStops; ++i) {
    const auto c = srgb ? colours[i].srgb() : colours[i].linear();
    for (int k = 0; k < 4; ++k) stops[i].colour[k] = static_cast<float>(c[k]);
    stops[i].position = positions[i];
  }
  return stops;
}

namespace {

// Weight of `pos` between two stops, in single precision like the original.
float pair_weight(float pos, float from_pos, float to_pos, bool same_stop) {
  if (same_stop || from_pos == to_pos) return 1.0f;  // see the deviation note in the header
  return (pos - from_pos) / (to_pos - from_pos);
}

std::array<float, 4> mix(const std::array<float, 4>& a, const std::array<float, 4>& b, float weight) {
  std::array<float, 4> out{};
  for (int k = 0; k < 4; ++k) {
    // The original held colours as doubles and the weight as a float.
    const double ak = a[k], bk = b[k];
    out[k] = static_cast<float>(ak + static_cast<double>(weight) * (bk - ak));
  }
  return out;
}

}  // namespace

GradientLut build_gradient_lut(const GradientStops& stops) {
  GradientLut lut(kGradientLutSize);
  int from = 0;
  int to = 1;
  for (int i = 0; i < kGradientLutSize; ++i) {
    const float pos = static_cast<float>(i) / static_cast<float>(kGradientLutSize);
    if (pos > static_cast<float>(stops[to].position)) {
      from = std::min(from + 1, kGradientStops - 1);
      to = std::min(to + 1, kGradientStops - 1);
    }
    const float weight = pair_weight(pos, static_cast<float>(stops[from].position),
                                     static_cast<float>(stops[to].position), from == to);
    lut[i] = mix(stops[from].colour, stops[to].colour, weight);
  }
  return lut;
}

int gradient_lut_index(float v) {
  const float scaled = v * static_cast<float>(kGradientLutSize - 1);
  if (scaled < 0.0f) return 0;
  if (scaled > static_cast<float>(kGradientLutSize - 1)) return kGradientLutSize - 1;
  return static_cast<int>(scaled);
}

namespace {

using vips::VImage;

constexpr PixelFormat kYpAFloat{Model::kYA, Trc::kPerceptual, false, Depth::kFloat};

std::vector<PropSpec> gradient_properties() {
  std::vector<PropSpec> props;
  const Color black{0, 0, 0, 1}, white{1, 1, 1, 1};
  for (int i = 1; i <= kGradientStops; ++i) {
    const std::string n = std::to_string(i);
    props.push_back(PropSpec::color("color" + n, "Color " + n, i == 1 ? black : white));
    props.push_back(PropSpec::number("stop" + n, "Stop " + n, i == 1 ? 0.0 : 1.0));
  }
  props.push_back(PropSpec::boolean("srgb", "sRGB", false));
  return props;
}

// gradient_lut_index() as the libvips chain it was first written as computes
// it: y x 2047 in float, capped at 2047, cast to ushort (clip, truncate).
int chain_index(float y) {
  const float top = kGradientLutSize - 1;
  const float scaled = top * y + 0.0f;
  const float capped = static_cast<double>(scaled) > top ? top : scaled;
  if (!(capped > 0.0f)) return 0;
  return static_cast<int>(capped);
}

// One pass over "Y(')A float": out.rgb = LUT[index].rgb, out.a = LUT[index].a x in.a.
VImage map_through(const VImage& ya, std::shared_ptr<const GradientLut> lut) {
  return point_map({ya}, 4, VIPS_FORMAT_FLOAT, [lut](const void* const* in, void* out, int width) {
    const auto* s = static_cast<const float*>(in[0]);
    auto* d = static_cast<float*>(out);
    for (int x = 0; x < width; ++x, s += 2, d += 4) {
      const auto& e = (*lut)[static_cast<size_t>(chain_index(s[0]))];
      d[0] = e[0];
      d[1] = e[1];
      d[2] = e[2];
      d[3] = e[3] * s[1];
    }
  });
}

class GradientMap final : public SpecOp {
 public:
  GradientMap() : SpecOp(streaming({"gegl/gradient-map", "Applies a color gradient.", {"input"}, gradient_properties()})) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext&) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/gradient-map has no input");
    const bool srgb = p.boolean("srgb");
    std::array<Color, kGradientStops> colours;
    std::array<double, kGradientStops> positions{};
    for (int i = 0; i < kGradientStops; ++i) {
      colours[i] = p.color("color" + std::to_string(i + 1));
      positions[i] = p.number("stop" + std::to_string(i + 1));
    }
    auto lut = std::make_shared<const GradientLut>(build_gradient_lut(gradient_stops(colours, positions, srgb)));
    const Image src = convert(*in.input, srgb ? kYpAFloat : fmt::kYAFloat);
    return Image{map_through(src.pixels, std::move(lut)), srgb ? fmt::kRpGpBpAFloat : fmt::kRGBAFloat, src.x, src.y};
  }
};

}  // namespace

std::unique_ptr<Op> make_gradient_map() { return std::make_unique<GradientMap>(); }

}  // namespace imgflo::runtime::ops
