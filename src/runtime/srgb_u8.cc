#include "runtime/srgb_u8.h"

#include "core/color.h"

#include <array>
#include <limits>
#include <vector>

namespace imgflo::runtime {

namespace {

constexpr int kBuckets = 65536;  // bucket i holds linear values in [i, i + 1) / 65535
constexpr double kBucketScale = 65535.0;
// babl's float sRGB curve adds 3 x 2^-24 so that 1 maps to 1; GEGL's levels
// round up from that much below each half level.
constexpr double kBablCurveOffset = 3.0 / (1 << 24);

struct Tables {
  std::vector<float> base;       // u8 level at the bucket's lower end
  std::vector<float> threshold;  // the boundary inside the bucket, or +inf
};

// Linear values where the rounded sRGB level steps from k - 1 to k.
std::array<double, 256> boundaries() {
  std::array<double, 256> t{};
  for (int k = 1; k < 256; ++k) t[k] = srgb_to_linear((k - 0.5) / 255.0 - kBablCurveOffset);
  return t;
}

Tables build_tables() {
  const std::array<double, 256> t = boundaries();
  Tables tab{std::vector<float>(kBuckets), std::vector<float>(kBuckets)};
  int level = 0;  // levels whose boundary is <= the bucket's lower end
  for (int i = 0; i < kBuckets; ++i) {
    const double lo = i / kBucketScale, hi = (i + 1) / kBucketScale;
    while (level < 255 && t[level + 1] <= lo) ++level;
    tab.base[i] = static_cast<float>(level);
    const bool inside = level < 255 && t[level + 1] < hi;
    tab.threshold[i] = inside ? static_cast<float>(t[level + 1]) : std::numeric_limits<float>::infinity();
  }
  return tab;
}

vips::VImage lut(std::vector<float>& data) {
  return vips::VImage::new_from_memory(data.data(), data.size() * sizeof(float), static_cast<int>(data.size()), 1, 1,
                                       VIPS_FORMAT_FLOAT);
}

Tables& tables() {
  static Tables t = build_tables();  // static storage: the LUT images point into it
  return t;
}

// libvips' float -> ushort cast: clip, then truncate.
uint16_t to_bucket(float scaled) {
  if (!(scaled > 0.0f)) return 0;
  if (scaled >= static_cast<float>(kBuckets - 1)) return kBuckets - 1;
  return static_cast<uint16_t>(scaled);
}

// The per-sample form, 65 KB instead of 512 KB of tables: the level at each
// bucket's lower end in a byte, and the 255 boundaries (as floats) by level.
// Comparing with the next level's boundary is the same as comparing with the
// bucket's `threshold` (+inf when that boundary lies beyond the bucket): the
// two were compared for every float from -4 to 4 (+inf gives 255 here).
struct SampleTables {
  std::vector<uint8_t> level = std::vector<uint8_t>(kBuckets);
  std::array<float, 257> boundary{};  // boundary[k]: level k starts; [256] = +inf
};

const SampleTables& sample_tables() {
  static const SampleTables t = [] {
    const Tables& full = tables();
    const std::array<double, 256> b = boundaries();
    SampleTables s;
    for (int i = 0; i < kBuckets; ++i) s.level[i] = static_cast<uint8_t>(full.base[i]);
    for (int k = 1; k < 256; ++k) s.boundary[k] = static_cast<float>(b[k]);
    s.boundary[0] = -std::numeric_limits<float>::infinity();
    s.boundary[256] = std::numeric_limits<float>::infinity();
    return s;
  }();
  return t;
}

}  // namespace

uint8_t encode_srgb_u8_sample(float linear) {
  const SampleTables& t = sample_tables();
  const uint8_t level = t.level[to_bucket(static_cast<float>(kBucketScale) * linear + 0.0f)];
  return static_cast<uint8_t>(level + (level < 255 && linear >= t.boundary[level + 1] ? 1 : 0));
}

vips::VImage encode_srgb_u8(const vips::VImage& linear) {
  Tables& tables = runtime::tables();
  static const vips::VImage base = lut(tables.base).cast(VIPS_FORMAT_UCHAR);
  static const vips::VImage threshold = lut(tables.threshold);
  // cast() truncates and clips: below 0 -> bucket 0 (level 0), above 1 -> the
  // last bucket (255).
  const vips::VImage bucket = (linear * kBucketScale).cast(VIPS_FORMAT_USHORT);
  const vips::VImage step = (linear >= bucket.maplut(threshold)) & 1;
  return (bucket.maplut(base) + step).cast(VIPS_FORMAT_UCHAR);
}

}  // namespace imgflo::runtime
