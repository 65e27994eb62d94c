// The width/height rescale's resampling: GEGL's pixel centres, transparent
// outside, box filter when shrinking (values computed here by hand).
#include "runtime/rescale.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace imgflo::runtime {
namespace {

constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

// One row of opaque grey pixels with linear values `v`, straight "RGBA float".
Image row(const std::vector<float>& v) {
  std::vector<float> px;
  for (float x : v) px.insert(px.end(), {x, x, x, 1.0f});
  const vips::VImage img(vips_image_new_from_memory_copy(px.data(), px.size() * sizeof(float),
                                                         static_cast<int>(v.size()), 1, 4, VIPS_FORMAT_FLOAT));
  return Image{img, fmt::kRGBAFloat, 0, 0};
}

Image rescaled(const Image& in, int width, int height) {
  auto plan = plan_rescale(in.width(), in.height(), {width, height}, kNoLimit);
  EXPECT_TRUE(plan.ok());
  return rescale(in, *plan);
}

TEST(GeglBoxSamples, OnlyWhenAnAxisShrinksByTwoOrMore) {
  EXPECT_EQ(gegl_box_samples(1.5, 1.5, true), 1);
  EXPECT_EQ(gegl_box_samples(0.6, 0.6, true), 1);
  EXPECT_EQ(gegl_box_samples(0.5, 0.5, true), 2);
  EXPECT_EQ(gegl_box_samples(0.39, 1.3, true), 2);
  EXPECT_EQ(gegl_box_samples(0.39, 1.3, false), 1);
  EXPECT_EQ(gegl_box_samples(1.3, 0.29, false), 3);
  EXPECT_EQ(gegl_box_samples(0.05, 0.05, true), kGeglMaxBoxSamples);
}

TEST(GeglRenderedRows, OnlyAPartialLastRowOfAStrongShrinkIsLeftOut) {
  EXPECT_EQ(gegl_rendered_rows(1000, 1.389, 1389), 1389);    // upscale: all rows
  EXPECT_EQ(gegl_rendered_rows(1024, 0.6, 615), 615);        // shrink by less than 2: all rows
  EXPECT_EQ(gegl_rendered_rows(1024, 100.0 / 768, 134), 133);  // row 133's centre maps to 1025.3 > 1025
  EXPECT_EQ(gegl_rendered_rows(1024, 100.0 / 1024, 100), 100);  // no partial row
  EXPECT_EQ(gegl_rendered_rows(1, 0.1, 1), 0);               // row 0's centre at 5 > 2
}

// 2x1 -> 5 wide: scale 2.5, 5x3 (2.5 rounded up). Output X samples input
// position (X + 0.5) / 2.5 - 0.5 between pixel centres; outside is
// transparent, so the border pixels are partly transparent (premultiplied).
TEST(Rescale, UpscaleSamplesBetweenPixelCentres) {
  const Image out = rescaled(row({0.0f, 1.0f}), 5, -1);
  ASSERT_EQ(out.format, fmt::kRaGaBaAFloat);
  ASSERT_EQ(out.width(), 5);
  ASSERT_EQ(out.height(), 3);
  // Row 0 samples v = -0.3: 70 % of the row, 30 % outside.
  const std::vector<double> colour = {0.0, 0.1, 0.5, 0.9, 0.7};  // u = -0.3, 0.1, 0.5, 0.9, 1.3
  const std::vector<double> alpha = {0.7, 1.0, 1.0, 1.0, 0.7};
  for (int x = 0; x < 5; ++x) {
    const auto p = out.pixels.getpoint(x, 0);
    EXPECT_NEAR(p[0], colour[x] * 0.7, 1e-5) << "x " << x;
    EXPECT_NEAR(p[3], alpha[x] * 0.7, 1e-5) << "x " << x;
  }
  EXPECT_NEAR(out.pixels.getpoint(2, 1)[3], 0.9, 1e-5);  // v = 0.1
  EXPECT_NEAR(out.pixels.getpoint(2, 2)[3], 0.5, 1e-5);  // v = 0.5: half outside
}

// 6x1 -> 2x1: scale 1/3 takes 3 samples per output pixel, at input pixel
// centres 3X, 3X + 1, 3X + 2 (plain bilinear would read pixel 3X + 1 alone).
TEST(Rescale, DownscaleByThreeAveragesThreeSamples) {
  const Image out = rescaled(row({0.0f, 0.0f, 1.0f, 1.0f, 1.0f, 1.0f}), 2, 1);
  ASSERT_EQ(out.width(), 2);
  ASSERT_EQ(out.height(), 1);
  EXPECT_NEAR(out.pixels.getpoint(0, 0)[0], 1.0 / 3.0, 1e-5);
  EXPECT_NEAR(out.pixels.getpoint(1, 0)[0], 1.0, 1e-5);
  EXPECT_NEAR(out.pixels.getpoint(0, 0)[3], 1.0, 1e-5);
}

// 40x1 -> 4 wide: scale 0.1, one row 0.1 high whose centre maps to 5, more
// than a pixel below the input: GEGL leaves it transparent.
TEST(Rescale, RowFarBelowTheInputIsTransparent) {
  const Image out = rescaled(row(std::vector<float>(40, 1.0f)), 4, -1);
  ASSERT_EQ(out.width(), 4);
  ASSERT_EQ(out.height(), 1);
  EXPECT_EQ(out.pixels.getpoint(2, 0)[3], 0.0);
}

TEST(Rescale, IdentityKeepsThePixels) {
  const Image out = rescaled(row({0.25f, 0.75f}), 2, 1);
  ASSERT_EQ(out.width(), 2);
  EXPECT_NEAR(out.pixels.getpoint(1, 0)[0], 0.75, 1e-6);
  EXPECT_NEAR(out.pixels.getpoint(1, 0)[3], 1.0, 1e-6);
}

}  // namespace
}  // namespace imgflo::runtime
