#include "runtime/ops/c2g_spray.h"

#include <numbers>
#include <random>

namespace imgflo::runtime::ops::c2g {

namespace {

constexpr double kC2gRadialGamma = 2.0;  // GEGL 0.3.10's fixed radial gamma
constexpr uint32_t kC2gSpraySeed = 0x1fb2c2;

SprayTables build_spray_tables() {
  SprayTables t{std::vector<float>(kAnglePrime), std::vector<float>(kAnglePrime), std::vector<float>(kRadiusPrime)};
  const double golden_angle = std::numbers::pi * (3.0 - std::sqrt(5.0));
  for (int i = 0; i < kAnglePrime; ++i) {
    t.cos[i] = static_cast<float>(std::cos(golden_angle * i));
    t.sin[i] = static_cast<float>(std::sin(golden_angle * i));
  }
  std::mt19937 gen(kC2gSpraySeed);
  constexpr double k2To32 = 4294967296.0;
  for (auto& r : t.radius) {
    const double hi = gen(), lo = gen();  // 64 random bits -> u in [0, 1)
    const double u = (hi + lo / k2To32) / k2To32;
    r = static_cast<float>(std::pow(u, kC2gRadialGamma));
  }
  return t;
}

}  // namespace

const SprayTables& spray_tables() {
  static const SprayTables tables = build_spray_tables();
  return tables;
}

float Envelopes::grey(const float pixel[3], int iterations) const {
  float to_min = 0, to_max = 0;
  for (int c = 0; c < 3; ++c) {
    const float brightness = brightness_sum[c] / iterations;
    const float range = range_sum[c] / iterations;
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

}  // namespace imgflo::runtime::ops::c2g
