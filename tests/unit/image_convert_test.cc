// babl-like format conversion of Image, checked pixel by pixel against
// values computed here from the formulas.
#include "core/color.h"
#include "runtime/image.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace imgflo::runtime {
namespace {

using vips::VImage;

// A memory image owning a copy of `px` (copy_memory() would not copy memory images).
VImage owned(const std::vector<unsigned char>& px, int w, int bands) {
  const int h = static_cast<int>(px.size()) / (bands * w);
  return VImage(vips_image_new_from_memory_copy(px.data(), px.size(), w, h, bands, VIPS_FORMAT_UCHAR));
}

Image u8_rgba(const std::vector<unsigned char>& px, int w) { return Image{owned(px, w, 4), fmt::kRpGpBpAU8, 0, 0}; }

std::vector<double> pixel(const Image& img, int x, int y) { return img.pixels.getpoint(x, y); }

TEST(Convert, U8PerceptualToLinearPremultiplied) {
  const Image src = u8_rgba({255, 128, 0, 128, 10, 20, 30, 255}, 2);
  const Image lin = convert(src, fmt::kRaGaBaAFloat);
  EXPECT_EQ(lin.pixels.format(), VIPS_FORMAT_FLOAT);
  const auto p = pixel(lin, 0, 0);
  const double a = 128 / 255.0;
  EXPECT_NEAR(p[0], 1.0 * a, 1e-6);
  EXPECT_NEAR(p[1], srgb_to_linear(128 / 255.0) * a, 1e-6);
  EXPECT_NEAR(p[2], 0.0, 1e-6);
  EXPECT_NEAR(p[3], a, 1e-6);
}

TEST(Convert, RoundTripToU8IsExact) {
  std::vector<unsigned char> px;
  for (int i = 0; i < 256; ++i) px.insert(px.end(), {static_cast<unsigned char>(i), static_cast<unsigned char>(255 - i),
                                                     static_cast<unsigned char>(i / 2), 255});
  const Image src = u8_rgba(px, 256);
  for (PixelFormat mid : {fmt::kRGBAFloat, fmt::kRaGaBaAFloat, fmt::kRpaGpaBpaAFloat, fmt::kRGBFloat}) {
    const Image back = convert(convert(src, mid), fmt::kRpGpBpAU8);
    const VImage diff = (back.pixels.cast(VIPS_FORMAT_INT) - src.pixels.cast(VIPS_FORMAT_INT)).abs();
    EXPECT_EQ(diff.max(), 0.0) << mid.name();
  }
}

TEST(Convert, LuminanceUsesBablD50Weights) {
  const Image src = u8_rgba({200, 100, 50, 255}, 1);
  const Image y = convert(src, fmt::kYAFloat);
  ASSERT_EQ(y.pixels.bands(), 2);
  const double expect = 0.22249 * srgb_to_linear(200 / 255.0) + 0.71690 * srgb_to_linear(100 / 255.0) +
                        0.06061 * srgb_to_linear(50 / 255.0);
  EXPECT_NEAR(pixel(y, 0, 0)[0], expect, 1e-6);
  // Y back to perceptual RGB u8 replicates the encoded luminance.
  const auto rgb = pixel(convert(y, fmt::kRpGpBpU8), 0, 0);
  const double code = std::floor(linear_to_srgb(expect) * 255 + 0.5);
  EXPECT_EQ(rgb, (std::vector<double>{code, code, code}));
}

TEST(Convert, DroppingAlphaUnpremultipliesFirst) {
  const Image src = u8_rgba({200, 100, 50, 100, 0, 0, 0, 0}, 2);
  const Image rgb = convert(convert(src, fmt::kRaGaBaAFloat), fmt::kRpGpBpU8);
  EXPECT_EQ(pixel(rgb, 0, 0), (std::vector<double>{200, 100, 50}));
  EXPECT_EQ(pixel(rgb, 1, 0), (std::vector<double>{0, 0, 0}));  // transparent -> black, no NaN
}

TEST(Convert, AddingAlphaIsOpaque) {
  const Image src{owned({1, 2, 3}, 1, 3), fmt::kRpGpBpU8, 0, 0};
  EXPECT_EQ(pixel(convert(src, fmt::kRpGpBpAU8), 0, 0), (std::vector<double>{1, 2, 3, 255}));
  EXPECT_NEAR(pixel(convert(src, fmt::kRGBAFloat), 0, 0)[3], 1.0, 1e-9);
}

TEST(Place, EmbedsAndCrops) {
  const Image src = u8_rgba({10, 10, 10, 255, 20, 20, 20, 255}, 2);  // 2x1 at (0,0)
  const Image grown = place(src, Rect{-1, -1, 4, 3});
  EXPECT_EQ(grown.width(), 4);
  EXPECT_EQ(grown.height(), 3);
  EXPECT_EQ(grown.x, -1);
  EXPECT_EQ(pixel(grown, 1, 1), (std::vector<double>{10, 10, 10, 255}));
  EXPECT_EQ(pixel(grown, 0, 0), (std::vector<double>{0, 0, 0, 0}));
  const Image part = place(src, Rect{1, 0, 1, 1});
  EXPECT_EQ(pixel(part, 0, 0), (std::vector<double>{20, 20, 20, 255}));
  EXPECT_EQ((Rect{0, 0, 2, 2}.united(Rect{-1, 1, 2, 3})), (Rect{-1, 0, 3, 4}));
  const Image outside = place(src, Rect{200, 230, 10, 10});  // nowhere near the source
  EXPECT_EQ(outside.width(), 10);
  EXPECT_EQ(outside.pixels.format(), VIPS_FORMAT_UCHAR);
  EXPECT_EQ(pixel(outside, 9, 9), (std::vector<double>{0, 0, 0, 0}));
  const Image overlapping = place(src, Rect{1, -2, 3, 3});  // partly outside on two sides
  EXPECT_EQ(pixel(overlapping, 0, 2), (std::vector<double>{20, 20, 20, 255}));
  EXPECT_EQ(pixel(overlapping, 1, 2), (std::vector<double>{0, 0, 0, 0}));
}

}  // namespace
}  // namespace imgflo::runtime
