// encode_srgb_u8: linear float -> sRGB u8, the correctly rounded level.
#include "runtime/srgb_u8.h"

#include "core/color.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace imgflo::runtime {
namespace {

// The exact level: round half up of 255 x (srgb(v) + 3 x 2^-24), clipped.
int exact_level(double v) {
  const double level = std::floor((linear_to_srgb(std::clamp(v, 0.0, 1.0)) + 3.0 / (1 << 24)) * 255.0 + 0.5);
  return static_cast<int>(std::clamp(level, 0.0, 255.0));
}

std::vector<unsigned char> encode(std::vector<float> values) {
  const auto n = static_cast<int>(values.size());
  const vips::VImage in(vips_image_new_from_memory_copy(values.data(), values.size() * sizeof(float), n, 1, 1,
                                                        VIPS_FORMAT_FLOAT));
  const vips::VImage out = encode_srgb_u8(in);
  EXPECT_EQ(out.format(), VIPS_FORMAT_UCHAR);
  size_t size = 0;
  auto* mem = static_cast<unsigned char*>(out.write_to_memory(&size));
  std::vector<unsigned char> bytes(mem, mem + size);
  g_free(mem);
  return bytes;
}

// Both sides of every level boundary, one float step away.
TEST(EncodeSrgbU8, EveryBoundaryRoundsHalfUp) {
  std::vector<float> values;
  std::vector<int> expected;
  for (int k = 1; k < 256; ++k) {
    const float t = static_cast<float>(srgb_to_linear((k - 0.5) / 255.0 - 3.0 / (1 << 24)));
    const float below = std::nextafter(std::nextafter(t, 0.0f), 0.0f);
    const float above = std::nextafter(std::nextafter(t, 2.0f), 2.0f);
    values.insert(values.end(), {below, above});
    expected.insert(expected.end(), {k - 1, k});
  }
  const auto out = encode(values);
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(out[i], expected[i]) << "linear " << values[i];
}

// A dense sweep (3 samples per 16-bit bucket, off the bucket edges) and
// out-of-range values, against the formula in double precision. The old
// 16-bit lookup got 0.5 % of such values one level wrong.
TEST(EncodeSrgbU8, SweepMatchesTheFormula) {
  std::vector<float> values = {-1.0f, -1e-6f, 0.0f, 1.0f, 1.0000001f, 7.5f};
  for (int i = 0; i < 3 * 65536; ++i) values.push_back(static_cast<float>((i + 0.37) / (3 * 65535.0)));
  const auto out = encode(values);
  long wrong = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (out[i] != exact_level(values[i])) ++wrong;
  }
  EXPECT_EQ(wrong, 0);
}

// The per-sample form (its smaller tables) against the pipeline: both sides
// of every boundary within 64 float steps, a dense sweep, out-of-range values.
TEST(EncodeSrgbU8, SampleFormMatchesThePipeline) {
  std::vector<float> values = {-1.0f, -1e-6f, 0.0f, 1.0f, 1.0000001f, 7.5f, std::numeric_limits<float>::infinity()};
  for (int k = 1; k < 256; ++k) {
    float v = static_cast<float>(srgb_to_linear((k - 0.5) / 255.0 - 3.0 / (1 << 24)));
    for (int i = 0; i < 64; ++i) v = std::nextafter(v, 0.0f);
    for (int i = 0; i < 128; ++i, v = std::nextafter(v, 2.0f)) values.push_back(v);
  }
  for (int i = 0; i < 1 << 20; ++i) values.push_back(static_cast<float>(i / static_cast<double>(1 << 20)));
  const auto out = encode(values);
  long wrong = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (out[i] != encode_srgb_u8_sample(values[i])) ++wrong;
  }
  EXPECT_EQ(wrong, 0);
}

}  // namespace
}  // namespace imgflo::runtime
