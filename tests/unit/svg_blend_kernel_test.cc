// The one-pass svg:* blends give the same bits as the libvips image
// expressions of their formulas (written out here as the oracle), on random
// premultiplied pixels with transparent, opaque and equal-to-alpha samples.
#include "runtime/ops/svg_blend.h"

#include "support/pixels.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace imgflo::runtime::ops {
namespace {

using vips::VImage;
using test::raw_bytes;

constexpr int kWidth = 128, kHeight = 64;

// Premultiplied RGBA float: alpha 0, 1 or random; colour 0, alpha or random below it.
VImage premultiplied(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<float> px;
  for (int i = 0; i < kWidth * kHeight; ++i) {
    const int kind = i % 5;
    const float a = kind == 0 ? 0.0f : kind == 1 ? 1.0f : unit(rng);
    for (int k = 0; k < 3; ++k) {
      const int c = static_cast<int>(rng() % 4);
      px.push_back(c == 0 ? 0.0f : c == 1 ? a : unit(rng) * a);
    }
    px.push_back(a);
  }
  return VImage(vips_image_new_from_memory_copy(px.data(), px.size() * sizeof(float), kWidth, kHeight, 4,
                                                VIPS_FORMAT_FLOAT));
}

struct Planes {
  VImage cA, aA, cB, aB, aD;
};

Planes planes(const VImage& a, const VImage& b) {
  Planes p{a.extract_band(0, VImage::option()->set("n", 3)), a.extract_band(3),
           b.extract_band(0, VImage::option()->set("n", 3)), b.extract_band(3), VImage()};
  p.aD = p.aA + p.aB - p.aA * p.aB;
  return p;
}

VImage clamp_images(const VImage& v, const VImage& lo, const VImage& hi) {
  const VImage above = (v < lo).ifthenelse(lo, v);
  return (above > hi).ifthenelse(hi, above);
}

VImage src_over_oracle(const Planes& p) { return p.cA + p.cB * (1.0 - p.aA); }

VImage screen_oracle(const Planes& p) {
  return clamp_images(p.cA + p.cB - p.cA * p.cB, p.aD.new_from_image(0.0), p.aD);
}

VImage dodge_oracle(const Planes& p) {
  const VImage rest = p.cA * (1.0 - p.aB) + p.cB * (1.0 - p.aA);
  const VImage saturated = p.aA * p.aB + rest;
  const VImage denominator = (p.aA == 0.0).ifthenelse(1.0, 1.0 - p.cA / p.aA);
  const VImage ratio = (p.cA == p.aA).ifthenelse(1.0, p.cB * p.aA / denominator);
  const VImage lit = (p.cA * p.aB + p.cB * p.aA) >= p.aA * p.aB;
  return clamp_images(lit.ifthenelse(saturated, ratio + rest), p.aD * 0.0, p.aD);
}

void expect_same(BlendChannel channel, VImage (*oracle)(const Planes&), const char* name) {
  const VImage a = premultiplied(1), b = premultiplied(2);
  const Planes p = planes(a, b);
  const VImage expected = VImage::bandjoin({oracle(p), p.aD});
  EXPECT_EQ(raw_bytes(blend_images(a, b, channel)), raw_bytes(expected)) << name;
}

TEST(SvgBlendKernel, SrcOverIsBitIdenticalToItsImageExpression) {
  expect_same(src_over_channel, src_over_oracle, "src-over");
}

TEST(SvgBlendKernel, ScreenIsBitIdenticalToItsImageExpression) { expect_same(screen_channel, screen_oracle, "screen"); }

TEST(SvgBlendKernel, ColorDodgeIsBitIdenticalToItsImageExpression) {
  expect_same(color_dodge_channel, dodge_oracle, "color-dodge");
}

}  // namespace
}  // namespace imgflo::runtime::ops
