// gegl/noise-cie-lch: randomises lightness, chroma and hue independently,
// in CIE LCh(ab) (babl's D50 Lab, see runtime/cie_lch.h), alpha kept.
//
// Per pixel at GEGL position (x, y), with W the width of the input's extent
// and n0 = (3 holdness + 4) (x + W y) (32-bit int arithmetic):
//   hue:       if hue-distance > 0 and C > 0: H = randomize(H, 0, 359, wraps, hue-distance, n0)
//   chroma:    n1 = n0 + holdness + 1; if chroma-distance > 0:
//                if C == 0: H = uniform(n1) * 360 (a grey gets a random hue),
//                C = randomize(C, 0, 100, clamps, chroma-distance, n1 + 1)
//   lightness: n2 = n1 + holdness + 2; if lightness-distance > 0:
//                L = randomize(L, 0, 100, clamps, lightness-distance, n2)
// randomize(v, min, max, wraps, spread, n): r = the least of `holdness`
// uniforms n, n+1, ...; sign = -1 if the next uniform < 0.5 else +1;
// v' = v + sign * fmod(spread * r, max - min + 0.5); outside [min, max] it
// wraps by (max - min + 0.5) or clamps. Uniforms come from GeglRandom(seed)
// at (x, y, n), so the noise is a pure function of seed, position and W.
//
// GEGL defaults (0.3.10 = 0.4.42): holdness 2 (1..8), lightness-distance 40
// (0..100), chroma-distance 40 (0..100), hue-distance 3 (0..180), seed 0.
// Point filter: extent and origin unchanged; output "RGBA float" (GEGL hands
// on "CIE LCH(ab) alpha float"; the next consumer converts either way).
// Computed lazily per tile (runtime/ops/tiled.h with no reach).
#include "runtime/cie_lch.h"
#include "runtime/gegl_random.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/tiled.h"

#include <cmath>
#include <limits>

namespace imgflo::runtime::ops {

namespace {

struct NoiseParams {
  GeglRandom random;
  int holdness;
  double hue_distance, chroma_distance, lightness_distance;
  int region_width;  // W in the sequence number
};

struct Range {
  float min, max;
  bool wraps;
};

float randomize(const NoiseParams& p, float now, Range range, float spread, int x, int y, int n) {
  const float steps = range.max - range.min + 0.5f;
  float r = p.random.uniform(x, y, n++);
  for (int i = 1; i < p.holdness; ++i) r = std::fmin(r, p.random.uniform(x, y, n++));
  const int sign = p.random.uniform(x, y, n) < 0.5f ? -1 : 1;
  float v = static_cast<float>(now + sign * std::fmod(static_cast<double>(spread * r), static_cast<double>(steps)));
  if (v < range.min) v = range.wraps ? v + steps : range.min;
  if (range.max < v) v = range.wraps ? v - steps : range.max;
  return v;
}

void add_noise(const NoiseParams& p, int x, int y, Lch& v) {
  // GEGL computes the sequence number in gint; wrap like it does on overflow.
  const auto base = static_cast<uint32_t>(x) + static_cast<uint32_t>(p.region_width) * static_cast<uint32_t>(y);
  int n = static_cast<int>(static_cast<uint32_t>(3 * p.holdness + 4) * base);
  if (p.hue_distance > 0 && v.c > 0) {
    v.h = randomize(p, v.h, {0.0f, 359.0f, true}, static_cast<float>(p.hue_distance), x, y, n);
  }
  n += p.holdness + 1;
  if (p.chroma_distance > 0) {
    if (v.c == 0) v.h = p.random.uniform_range(x, y, n, 0.0f, 360.0f);
    v.c = randomize(p, v.c, {0.0f, 100.0f, false}, static_cast<float>(p.chroma_distance), x, y, n + 1);
  }
  n += p.holdness + 2;
  if (p.lightness_distance > 0) {
    v.l = randomize(p, v.l, {0.0f, 100.0f, false}, static_cast<float>(p.lightness_distance), x, y, n);
  }
}

// The noisy pixels of one tile; (x0, y0) is the input's GEGL position.
TileFn noise_tiles(const NoiseParams& params, int x0, int y0) {
  return [params, x0, y0](const InputWindow& in, const OutputTile& out, const Stop&) {
    for (int y = out.area.y; y < out.area.bottom(); ++y) {
      const float* s = in.at(out.area.x, y);
      float* d = out.at(out.area.x, y);
      for (int x = out.area.x; x < out.area.right(); ++x, s += 4, d += 4) {
        Lch v = lch_from_linear_rgb(s[0], s[1], s[2]);
        add_noise(params, x0 + x, y0 + y, v);
        linear_rgb_from_lch(v, d);
        d[3] = s[3];
      }
    }
    return true;
  };
}

class NoiseCieLch final : public SpecOp {
 public:
  NoiseCieLch()
      : SpecOp({"gegl/noise-cie-lch",
                "Randomize lightness, chroma and hue independently",
                {"input"},
                {PropSpec::integer("holdness", "A high value lowers the randomness of the noise", 2, 1, 8),
                 PropSpec::number("lightness-distance", "Lightness", 40.0, 0.0, 100.0),
                 PropSpec::number("chroma-distance", "Chroma", 40.0, 0.0, 100.0),
                 PropSpec::number("hue-distance", "Hue", 3.0, 0.0, 180.0),
                 PropSpec::integer("seed", "Random seed", 0, 0, std::numeric_limits<uint32_t>::max())}}) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/noise-cie-lch has no input");
    const Image src = convert(*in.input, fmt::kRGBAFloat);
    const NoiseParams params{GeglRandom(static_cast<uint32_t>(p.integer("seed"))),
                             static_cast<int>(p.integer("holdness")),
                             p.number("hue-distance"),
                             p.number("chroma-distance"),
                             p.number("lightness-distance"),
                             src.width()};
    const TiledSpec spec{.width = src.width(), .height = src.height(), .bands = 4};
    auto out = tiled_image(src.pixels, spec, ctx.stop(), noise_tiles(params, src.x, src.y));
    if (!out.ok()) return out.take_error();
    return Image{*out, fmt::kRGBAFloat, src.x, src.y};
  }
};

}  // namespace

std::unique_ptr<Op> make_noise_cie_lch() { return std::make_unique<NoiseCieLch>(); }

}  // namespace imgflo::runtime::ops
