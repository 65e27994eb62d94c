// gegl/c2g: colour to grey by Kolås' STRESS envelopes ("color2gray"),
// computed in linear "RGBA float", output "YA float" with the input's alpha;
// extent and origin unchanged (GEGL overrides the area filter's growth).
//
// For every pixel p: `iterations` times, spray `samples` points around it
// (angle from a golden-angle table, distance radius * u^2 with u uniform in
// [0, 1), so samples gather near the centre) and take per-channel min and
// max over p and the sprayed pixels. A sample outside the image is replaced
// by the next spray point (GEGL retries without limit; we give up a sample
// after 4 x 29537 misses, which only tiny images with huge radii reach); a
// fully transparent one likewise, at most `samples` times per sample. Per
// channel, with range = max - min and relative brightness
// rb = (p - min) / range (0.5 when range = 0), the means over the
// iterations give envelopes
//   min_env = p - rb * range,   max_env = p + (1 - rb) * range,
// and grey = |p - min_env| / (|p - min_env| + |p - max_env|) (Euclidean over
// R, G, B; 0.5 when both are 0).
//
// Determinism (a deliberate difference from GEGL): GEGL fills its radius
// table from an unseeded GRand and walks global spray counters shared by all
// threads, so every run differs. Here the tables are built once from a fixed
// seed and pixel (x, y) starts its walk at (y * width + x) * iterations *
// samples, where a single-threaded GEGL scan without retries would be. The
// output is a pure function of the input and the properties (the server
// caches results), with the same statistics as GEGL's.
// GEGL 0.3.10 semantics kept: the numerator is the distance to the minimum
// envelope (0.4.x's default switched to the distance to black, its
// "enhance-shadows" property restores this one). GEGL 0.3.10's radial gamma
// is fixed at 2 (its `rgamma` property is commented out), so it is no
// property here either.
//
// GEGL 0.3.10 defaults: radius 300 (2..6000), samples 4 (1..1000),
// iterations 10 (1..1000).
//
// Computed lazily per output tile (runtime/ops/tiled.h): a sprayed pixel lies
// at most `radius` pixels from p on either axis, so a tile reads its input
// grown by radius + 1 (the 1 a margin against float rounding of positions),
// clipped to the image (samples outside it are never read).
#include "runtime/ops/ops.h"
#include "runtime/ops/tiled.h"

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace imgflo::runtime::ops {

namespace {

constexpr int kAnglePrime = 95273;   // table sizes are primes, as GEGL's, so
constexpr int kRadiusPrime = 29537;  // angle/radius pairs repeat rarely
constexpr double kRadialGamma = 2.0;
constexpr uint32_t kSpraySeed = 0x1fb2c2;
// A sample is abandoned after this many spray points outside the image
// (GEGL retries without limit; tiny images with huge radii would spin).
constexpr int kMaxOutsideTries = 4 * kRadiusPrime;

struct SprayTables {
  std::vector<float> cos, sin, radius;  // radius: u^gamma in [0, 1)
};

const SprayTables& spray_tables() {
  static const SprayTables tables = [] {
    SprayTables t{std::vector<float>(kAnglePrime), std::vector<float>(kAnglePrime), std::vector<float>(kRadiusPrime)};
    const double golden_angle = std::numbers::pi * (3.0 - std::sqrt(5.0));
    for (int i = 0; i < kAnglePrime; ++i) {
      t.cos[i] = static_cast<float>(std::cos(golden_angle * i));
      t.sin[i] = static_cast<float>(std::sin(golden_angle * i));
    }
    std::mt19937 gen(kSpraySeed);
    constexpr double k2To32 = 4294967296.0;
    for (auto& r : t.radius) {
      const double hi = gen(), lo = gen();  // 64 random bits -> u in [0, 1)
      const double u = (hi + lo / k2To32) / k2To32;
      r = static_cast<float>(std::pow(u, kRadialGamma));
    }
    return t;
  }();
  return tables;
}

struct Params {
  int radius, samples, iterations;
};

// Walks the spray tables from a pixel's own starting point.
class Spray {
 public:
  explicit Spray(uint64_t start) : angle_(start % kAnglePrime), radius_(start % kRadiusPrime) {}

  // Offsets of the next spray point for `radius`.
  void next(float radius, float& dx, float& dy) {
    const SprayTables& t = spray_tables();
    const float r = t.radius[radius_] * radius;
    dx = r * t.cos[angle_];
    dy = r * t.sin[angle_];
    if (++angle_ == kAnglePrime) angle_ = 0;
    if (++radius_ == kRadiusPrime) radius_ = 0;
  }

 private:
  uint32_t angle_, radius_;
};

// Widens lo/hi (3 channels) by one sprayed pixel around (x, y), with GEGL's retry rules.
void sample_once(const InputWindow& px, int x, int y, const Params& p, Spray& spray, float lo[3], float hi[3]) {
  int transparent_left = p.samples;
  for (int outside = 0; outside < kMaxOutsideTries;) {
    float dx = 0, dy = 0;
    spray.next(static_cast<float>(p.radius), dx, dy);
    const int u = static_cast<int>(static_cast<float>(x) + dx);
    const int v = static_cast<int>(static_cast<float>(y) + dy);
    if (!px.in_input(u, v)) {
      ++outside;
      continue;
    }
    const float* q = px.at(u, v);
    if (q[3] > 0.0f) {
      for (int c = 0; c < 3; ++c) {
        lo[c] = std::fmin(lo[c], q[c]);
        hi[c] = std::fmax(hi[c], q[c]);
      }
      return;
    }
    if (--transparent_left <= 0) return;
  }
}

// The grey value of pixel (x, y).
float grey_at(const InputWindow& px, int x, int y, const Params& p) {
  const float* pixel = px.at(x, y);
  Spray spray((static_cast<uint64_t>(y) * px.input_width + x) * p.iterations * p.samples);
  float brightness_sum[3] = {0, 0, 0}, range_sum[3] = {0, 0, 0};
  for (int i = 0; i < p.iterations; ++i) {
    float lo[3] = {pixel[0], pixel[1], pixel[2]}, hi[3] = {pixel[0], pixel[1], pixel[2]};
    for (int s = 0; s < p.samples; ++s) sample_once(px, x, y, p, spray, lo, hi);
    for (int c = 0; c < 3; ++c) {
      const float range = hi[c] - lo[c];
      brightness_sum[c] += range > 0.0f ? (pixel[c] - lo[c]) / range : 0.5f;
      range_sum[c] += range;
    }
  }
  float to_min = 0, to_max = 0;
  for (int c = 0; c < 3; ++c) {
    const float brightness = brightness_sum[c] / p.iterations;
    const float range = range_sum[c] / p.iterations;
    const float min_envelope = pixel[c] - brightness * range;
    const float max_envelope = pixel[c] + (1.0f - brightness) * range;
    to_min += (pixel[c] - min_envelope) * (pixel[c] - min_envelope);
    to_max += (pixel[c] - max_envelope) * (pixel[c] - max_envelope);
  }
  to_min = std::sqrt(to_min);
  to_max = std::sqrt(to_max);
  const float total = to_min + to_max;
  return total > 0.0f ? to_min / total : 0.5f;
}

// The grey and alpha of one tile (the output is the input's geometry).
TileFn grey_tiles(const Params& p) {
  return [p](const InputWindow& in, const OutputTile& out, const Stop& stop) {
    for (int y = out.area.y; y < out.area.bottom(); ++y) {
      float* d = out.at(out.area.x, y);
      for (int x = out.area.x; x < out.area.right(); ++x, d += 2) {
        // Up to samples x iterations = 10^6 sprays per pixel: poll within the row too.
        if (x % 64 == 0 && stop.requested()) return false;
        d[0] = grey_at(in, x, y, p);
        d[1] = in.at(x, y)[3];
      }
    }
    return true;
  };
}

class C2g final : public SpecOp {
 public:
  C2g()
      : SpecOp({"gegl/c2g",
                "Color to grayscale conversion, uses envelopes formed with the STRESS approach to perform local "
                "color-difference preserving grayscale generation.",
                {"input"},
                {PropSpec::integer("radius",
                                   "Neighborhood taken into account, this is the radius in pixels taken into account "
                                   "when deciding which colors map to which gray values",
                                   300, 2, 6000),
                 PropSpec::integer("samples", "Number of samples to do per iteration looking for the range of colors",
                                   4, 1, 1000),
                 PropSpec::integer("iterations",
                                   "Number of iterations, a higher number of iterations provides less noisy results "
                                   "at a computational cost",
                                   10, 1, 1000)}}) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& props, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/c2g has no input");
    const Params p{static_cast<int>(props.integer("radius")), static_cast<int>(props.integer("samples")),
                   static_cast<int>(props.integer("iterations"))};
    const Image src = convert(*in.input, fmt::kRGBAFloat);
    const int reach = p.radius + 1;
    const TiledSpec spec{.width = src.width(),
                         .height = src.height(),
                         .bands = 2,
                         .reach = {reach, reach, reach, reach},
                         .zero_outside = false};
    auto out = tiled_image(src.pixels, spec, ctx.stop(), grey_tiles(p));
    if (!out.ok()) return out.take_error();
    return Image{*out, fmt::kYAFloat, src.x, src.y};
  }
};

}  // namespace

std::unique_ptr<Op> make_c2g() { return std::make_unique<C2g>(); }

}  // namespace imgflo::runtime::ops
