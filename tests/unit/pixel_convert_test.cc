// The one-pass conversion (runtime/pixel_convert.h) gives the same bits as
// the libvips chain it replaces, for every pair of u8/float formats, on every
// u8 code value and on float samples around the curves' thresholds, 0, 1,
// out of range, and with transparent pixels.
#include "runtime/image.h"
#include "runtime/pixel_convert.h"

#include "support/pixels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace imgflo::runtime {
namespace {

using vips::VImage;
using test::raw_bytes;

std::vector<PixelFormat> formats() {
  std::vector<PixelFormat> out;
  for (Depth d : {Depth::kU8, Depth::kFloat}) {
    for (Model m : {Model::kY, Model::kYA, Model::kRGB, Model::kRGBA}) {
      for (Trc t : {Trc::kLinear, Trc::kPerceptual}) {
        out.push_back({m, t, false, d});
        if (m == Model::kYA || m == Model::kRGBA) out.push_back({m, t, true, d});
      }
    }
  }
  return out;
}

constexpr int kWidth = 256;

// Float samples: edges, neighbours of the thresholds, then random values.
std::vector<float> float_samples(size_t count) {
  std::vector<float> v = {0.0f, -0.0f, 1.0f, 0.5f, -0.25f, 1.5f, 4.0f, 1e-9f, 1.0f / 255, 254.5f / 255};
  for (double t : {0.0031308, 0.04045, 0.5 / 255, 254.5 / 255}) {
    float f = static_cast<float>(t);
    for (int i = 0; i < 4; ++i) f = std::nextafter(f, 0.0f);
    for (int i = 0; i < 9; ++i, f = std::nextafter(f, 2.0f)) v.push_back(f);
  }
  std::mt19937 rng(12);
  std::uniform_real_distribution<float> wide(-0.2f, 1.3f), unit(0.0f, 1.0f);
  while (v.size() < count) v.push_back(v.size() % 3 == 0 ? wide(rng) : unit(rng));
  return v;
}

// A source image of `f` whose samples run through every u8 value (u8) or the
// float samples; every 7th pixel is transparent when there is alpha.
Image source(PixelFormat f) {
  const int bands = f.bands();
  const int height = 64;
  const size_t n = static_cast<size_t>(kWidth) * height * bands;
  const std::vector<float> floats = float_samples(n);
  std::vector<float> px(n);
  for (size_t i = 0; i < n; ++i) {
    const bool alpha = f.has_alpha() && static_cast<int>(i % bands) == bands - 1;
    const size_t pixel = i / bands;
    float v = f.depth == Depth::kU8 ? static_cast<float>((i * 37 + i / 256) % 256) : floats[i];
    if (alpha && pixel % 7 == 0) v = 0.0f;
    if (alpha && f.depth == Depth::kFloat) v = std::abs(v);
    px[i] = v;
  }
  VImage img(vips_image_new_from_memory_copy(px.data(), n * sizeof(float), kWidth, height, bands, VIPS_FORMAT_FLOAT));
  if (f.depth == Depth::kU8) img = img.cast(VIPS_FORMAT_UCHAR);
  return Image{img, f, 0, 0};
}

TEST(PixelConvert, EveryU8AndFloatPairIsBitIdenticalToTheVipsChain) {
  int pairs = 0;
  for (const PixelFormat& from : formats()) {
    const Image src = source(from);
    for (const PixelFormat& to : formats()) {
      if (from == to) continue;
      const auto fast = convert_in_one_pass(src, to);
      ASSERT_TRUE(fast.has_value()) << from.name() << " -> " << to.name();
      const Image slow = convert_by_vips_ops(src, to);
      ASSERT_EQ(fast->pixels.bands(), slow.pixels.bands()) << from.name() << " -> " << to.name();
      ASSERT_EQ(fast->pixels.format(), slow.pixels.format()) << from.name() << " -> " << to.name();
      const auto a = raw_bytes(fast->pixels), b = raw_bytes(slow.pixels);
      ASSERT_EQ(a.size(), b.size());
      size_t differ = 0;
      for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == b[i]) continue;
        if (differ++ == 0 && to.depth == Depth::kFloat) {
          float fa = 0, fb = 0;
          std::memcpy(&fa, &a[i / 4 * 4], 4);
          std::memcpy(&fb, &b[i / 4 * 4], 4);
          ADD_FAILURE() << "sample " << i / 4 << ": " << fa << " instead of " << fb;
        }
      }
      EXPECT_EQ(differ, 0u) << from.name() << " -> " << to.name();
      ++pairs;
    }
  }
  EXPECT_EQ(pairs, 24 * 23);
}

// Every 16th float from `from` to `to` (both positive).
template <typename F>
void for_floats(float from, float to, F f) {
  uint32_t bits = 0, end = 0;
  std::memcpy(&bits, &from, 4);
  std::memcpy(&end, &to, 4);
  for (; bits <= end; bits += 16) {
    float v = 0;
    std::memcpy(&v, &bits, 4);
    f(v);
  }
}

// The curves without pow() per sample give glibc pow's results (the libvips
// chains' arithmetic written out here), on millions of floats.
TEST(PixelConvert, TheCurvesMatchPowOnEverySixteenthFloat) {
  long wrong = 0, checked = 0;
  for_floats(0.0031309f, 1.5f, [&](float v) {
    const auto power = static_cast<float>(std::pow(static_cast<double>(v), 1.0 / 2.4));
    const float expected = 1.0f * (static_cast<float>(1.055) * power + 0.0f) + static_cast<float>(-0.055);
    wrong += srgb_encode_sample(v) != expected;
    ++checked;
  });
  for_floats(0.04046f, 1.5f, [&](float v) {
    const float base = static_cast<float>(1.0 / 1.055) * (1.0f * v + static_cast<float>(0.055)) + 0.0f;
    wrong += srgb_decode_sample(v) != static_cast<float>(std::pow(static_cast<double>(base), 2.4));
    ++checked;
  });
  EXPECT_EQ(wrong, 0) << "of " << checked;
  EXPECT_GT(checked, 4000000);
}

TEST(PixelConvert, SixteenBitFormatsAreLeftToTheVipsChain) {
  const Image src = source(fmt::kRpGpBpU8);
  PixelFormat u16 = fmt::kRpGpBpU8;
  u16.depth = Depth::kU16;
  EXPECT_FALSE(convert_in_one_pass(src, u16).has_value());
  EXPECT_EQ(convert(src, u16).pixels.format(), VIPS_FORMAT_USHORT);
}

TEST(PixelConvert, AnOpaqueInputGetsNoAlphaBandUnlessAsked) {
  const Image src = source(fmt::kRpGpBpU8);
  EXPECT_EQ(convert(src, fmt::kRGBFloat).pixels.bands(), 3);
  EXPECT_EQ(convert(src, fmt::kRaGaBaAFloat).pixels.bands(), 4);
}

}  // namespace
}  // namespace imgflo::runtime
