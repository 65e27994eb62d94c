#include "runtime/srgb_levels.h"

#include "core/color.h"

#include <cmath>
#include <limits>
#include <memory>

namespace imgflo::runtime {

namespace {

size_t bucket_of(float v) { return static_cast<size_t>(v * SrgbLevels::kScale); }

// The smallest float in [0, 1] that lands in bucket i.
float lowest_in_bucket(size_t i) {
  float v = static_cast<float>(static_cast<double>(i) / SrgbLevels::kScale);
  while (v > 0.0f && bucket_of(std::nextafter(v, 0.0f)) >= i) v = std::nextafter(v, 0.0f);
  while (bucket_of(v) < i) v = std::nextafter(v, 2.0f);
  return v;
}

// The smallest float >= the linear value where level k starts, so that a
// float v reaches level k exactly when v >= it.
float boundary(int k) {
  const double exact = srgb_to_linear((k - 0.5) / 255.0);
  const auto f = static_cast<float>(exact);
  return static_cast<double>(f) < exact ? std::nextafter(f, 2.0f) : f;
}

}  // namespace

bool SrgbLevels::build() {
  boundary_[0] = -std::numeric_limits<float>::infinity();
  for (int k = 1; k < 256; ++k) boundary_[k] = boundary(k);
  boundary_[256] = std::numeric_limits<float>::infinity();
  for (int k = 1; k < 255; ++k)
    if (bucket_of(boundary_[k]) >= bucket_of(boundary_[k + 1])) return false;  // two in one bucket
  int level = 0;
  for (size_t i = 0; i < static_cast<size_t>(kBuckets); ++i) {
    const float lowest = lowest_in_bucket(i);
    while (level < 255 && boundary_[level + 1] <= lowest) ++level;
    base_[i] = static_cast<uint8_t>(level);
  }
  return true;
}

const SrgbLevels* SrgbLevels::instance() {
  static const std::unique_ptr<SrgbLevels> levels = [] {
    std::unique_ptr<SrgbLevels> l(new SrgbLevels());
    return l->build() ? std::move(l) : nullptr;
  }();
  return levels.get();
}

}  // namespace imgflo::runtime
