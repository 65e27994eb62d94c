// Linear-light float -> 8-bit sRGB level, correctly rounded, in two lookups.
//
// The level is round half up of 255 x srgb(v) with the IEC 61966-2.1 curve
// (core/color.h), v clipped to [0, 1]: the count of levels k in 1..255 whose
// boundary srgb_to_linear((k - 0.5) / 255) is <= v (each boundary is kept
// as the smallest float at or above it, so the count is exact). A table
// over 8192 buckets of v gives the level at the bucket's lowest float; each
// bucket holds at most one boundary (the closest two, 1 / (255 x 12.92)
// apart, are 2.5 buckets apart; checked when the table is built), so one
// comparison with the next boundary finishes it. Exact for every float,
// unlike a plain lookup (off by one level near each boundary). 8 kB + 1 kB,
// built once.
//
// Unlike runtime/srgb_u8.h (GEGL's rounding, with babl's 3 x 2^-24 offset,
// on vips images), this is the plain rounding, per value, for pixel loops.
// Thread-safe after instance() returns (read-only).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstddef>

namespace imgflo::runtime {

class SrgbLevels {
 public:
  // The shared tables; nullptr if they could not be built consistently
  // (never with the standard curve; callers then take a slower path).
  static const SrgbLevels* instance();

  // `linear`: any float but NaN (below 0 -> 0, above 1 -> 255).
  uint8_t operator()(float linear) const {
    const float v = std::min(std::max(linear, 0.0f), 1.0f);
    return in_bucket(static_cast<int32_t>(v * kScale), v);
  }

  // The same for `v` already clipped to [0, 1] and its bucket, floor(v x
  // kScale) (for callers that compute both for several values at once).
  uint8_t in_bucket(int32_t bucket, float v) const {
    const int level = base_[static_cast<size_t>(bucket)];
    return static_cast<uint8_t>(level + static_cast<int>(v >= boundary_[static_cast<size_t>(level) + 1]));
  }

  // bucket = floor(v x kScale), 0..kBuckets - 1: 8 kB, in the L1 cache with
  // the boundaries.
  static constexpr int kBuckets = 8192;
  static constexpr float kScale = kBuckets - 1;

 private:
  SrgbLevels() = default;
  bool build();

  // In the object, not behind a pointer: pixel loops store through char
  // pointers, which may alias a pointer member and would force its reload.
  std::array<uint8_t, kBuckets> base_{};  // the level at the lowest float of each bucket
  std::array<float, 257> boundary_{};     // [k] for k in 1..255; [256] = +inf
};

}  // namespace imgflo::runtime
