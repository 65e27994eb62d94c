// The opaque fast path of the width/height rescale (runtime/rescale_opaque.h)
// against rescale() itself, and the fade of a shrunk-on-load JPEG's partly
// covered last row/column (runtime/rescale.h).
#include "runtime/codec.h"
#include "runtime/rescale.h"
#include "runtime/rescale_opaque.h"
#include "runtime/shrink_on_load.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace imgflo::runtime {
namespace {

constexpr uint64_t kNoOpaqueLimit = std::numeric_limits<uint64_t>::max();

// An opaque R'G'B' u8 photo-like test image: the bundled mountains photo
// resized to exactly w x h, with noise so that every level occurs.
Image opaque_test_photo(int w, int h) {
  const std::string path = test::example("mountains.png");
  vips::VImage v =
      vips::VImage::thumbnail(path.c_str(), w, vips::VImage::option()->set("height", h)->set("size", VIPS_SIZE_FORCE));
  v = v.extract_band(0, vips::VImage::option()->set("n", 3));
  v = (v + vips::VImage::gaussnoise(w, h, vips::VImage::option()->set("sigma", 12.0))).cast(VIPS_FORMAT_UCHAR);
  return Image{v.copy_memory(), fmt::kRpGpBpU8, 0, 0};
}

// What a JPEG encoder is given: R'G'B' u8, alpha dropped after un-premultiplying.
vips::VImage opaque_jpeg_pixels(const Image& img) { return convert(img, fmt::kRpGpBpU8).pixels.cast(VIPS_FORMAT_INT); }

// Bytes that differ between the opaque path and rescale(), for `plan` on `img`.
int opaque_differing_pixels(const Image& img, const RescalePlan& plan) {
  const vips::VImage fast = opaque_jpeg_pixels(rescale_for_opaque_output(img, plan));
  const vips::VImage exact = opaque_jpeg_pixels(rescale(img, plan));
  EXPECT_EQ(fast.width(), exact.width());
  EXPECT_EQ(fast.height(), exact.height());
  const vips::VImage diff = (fast - exact).abs().bandor();
  return static_cast<int>(diff.width() * diff.height() * (diff > 0).cast(VIPS_FORMAT_UCHAR).avg() / 255.0 + 0.5);
}

RescalePlan opaque_plan_for(const Image& img, int width, int height) {
  auto plan = plan_rescale(img.width(), img.height(), {width, height}, kNoOpaqueLimit);
  EXPECT_TRUE(plan.ok());
  return *plan;
}

// A shrunk-on-load decode copied to the output: the whole input ends a
// fraction of a pixel before the image's last row and column (faded).
TEST(RescaleOpaque, SameJpegPixelsAsRescaleWithPartlyCoveredEdges) {
  const Image img = opaque_test_photo(129, 87);
  for (double cover : {0.125, 0.25, 0.5, 0.75, 0.875}) {
    RescalePlan plan;
    plan.source_width = img.width() - 1 + cover;
    plan.source_height = img.height() - 1 + cover;
    plan.exact_width = plan.source_width;
    plan.exact_height = plan.source_height;
    plan.out_width = img.width();
    plan.out_height = img.height();
    plan.in_height = static_cast<int>(plan.source_height * 8);  // as if shrunk by 8
    EXPECT_EQ(rescale_for_opaque_output(img, plan).format, fmt::kRpGpBpU8);
    EXPECT_EQ(opaque_differing_pixels(img, plan), 0) << "cover " << cover;
  }
}

// A resample is rescale()'s own (see rescale_opaque.h).
TEST(RescaleOpaque, ResampleIsRescale) {
  const Image img = opaque_test_photo(101, 67);
  for (int width : {61, 33, 150}) {
    EXPECT_EQ(rescale_for_opaque_output(img, opaque_plan_for(img, width, -1)).format, fmt::kRaGaBaAFloat);
  }
}

// The copy's claim for every level: a level faded to any coverage and
// un-premultiplied is encoded back to itself.
TEST(RescaleOpaque, EveryLevelSurvivesAnyFadeOfTheLastRow) {
  std::vector<unsigned char> px;
  for (int y = 0; y < 2; ++y) {
    for (int i = 0; i < 256; ++i) px.insert(px.end(), {static_cast<unsigned char>(i), static_cast<unsigned char>(255 - i),
                                                       static_cast<unsigned char>(i * 7)});
  }
  const Image img{vips::VImage(vips_image_new_from_memory_copy(px.data(), px.size(), 256, 2, 3, VIPS_FORMAT_UCHAR)),
                  fmt::kRpGpBpU8, 0, 0};
  for (int k = 1; k < 1000; ++k) {
    RescalePlan plan = opaque_plan_for(img, 256, 2);
    plan.source_height = 1.0 + k / 1000.0;
    plan.exact_height = plan.source_height;
    const Image fast = rescale_for_opaque_output(img, plan);
    ASSERT_EQ(fast.format, fmt::kRpGpBpU8);  // a copy: the decoded pixels themselves
    EXPECT_EQ(opaque_differing_pixels(img, plan), 0) << "coverage " << k / 1000.0;
  }
}

// A JPEG whose height is not a multiple of the shrink factor, to `width`:
// the alpha of rescale()'s result from the shrunk decode and from the full one.
struct ShrunkAlphaPair {
  vips::VImage shrunk, full;
};

ShrunkAlphaPair shrunk_alpha_both_ways(int w, int h, int width, int height) {
  const Image photo = opaque_test_photo(w, h);
  void* buf = nullptr;
  size_t len = 0;
  vips_image_write_to_buffer(photo.pixels.get_image(), ".jpg[Q=95]", &buf, &len, nullptr);
  const std::string jpeg(static_cast<const char*>(buf), len);
  g_free(buf);
  auto plan = plan_rescale(w, h, {width, height}, kNoOpaqueLimit);
  EXPECT_TRUE(plan.ok());
  const int factor = shrink_on_load_factor(ImageType::kJpeg, w, h, *plan);
  EXPECT_GT(factor, 1);
  auto shrunk = decode(jpeg, {{}, factor, {}});
  auto full = decode(jpeg, {{}, 1, {}});
  EXPECT_TRUE(shrunk.ok() && full.ok());
  const RescalePlan shrunk_plan = plan_for_shrunk(*plan, ImageType::kJpeg, w, h, factor);
  auto alpha = [](const Image& img) { return convert(img, fmt::kRpGpBpAU8).pixels.extract_band(3).cast(VIPS_FORMAT_INT); };
  return {alpha(rescale(*shrunk, shrunk_plan)), alpha(rescale(*full, *plan))};
}

// 2048 x 1365 -> width 512 in small: 408 x 273 at 1/4 is a copy of 102 x 69
// whose last row is a quarter covered, and 409 x 272 to height 68 one of
// 103 x 68 with a quarter covered last column. The full decode fades them to
// a quarter (alpha 64), not opaque.
TEST(ShrunkJpegFade, PartlyCoveredLastRowAndColumnFadeAsInAFullDecode) {
  const ShrunkAlphaPair rows = shrunk_alpha_both_ways(408, 273, 102, -1);
  ASSERT_EQ(rows.shrunk.width(), rows.full.width());
  ASSERT_EQ(rows.shrunk.height(), rows.full.height());
  EXPECT_EQ((rows.shrunk - rows.full).abs().max(), 0.0);
  EXPECT_EQ(rows.shrunk.getpoint(50, rows.shrunk.height() - 1)[0], 64.0);
  const ShrunkAlphaPair cols = shrunk_alpha_both_ways(409, 272, -1, 68);
  ASSERT_EQ(cols.shrunk.width(), cols.full.width());
  ASSERT_EQ(cols.shrunk.height(), cols.full.height());
  EXPECT_EQ((cols.shrunk - cols.full).abs().max(), 0.0);
  EXPECT_EQ(cols.shrunk.getpoint(cols.shrunk.width() - 1, 30)[0], 64.0);
}

// Resampled after the shrink (e.g. 1/4 of 411 x 277, then to 71 wide), the
// shrunk image's last row/column stays opaque (rescale.h): the alpha is the
// full decode's everywhere but on the output's last row and column, where the
// full decode fades a partly covered one (here by less than a quarter).
TEST(ShrunkJpegFade, ResampledShrinkDiffersOnlyOnTheLastRowAndColumn) {
  for (const auto& s : std::vector<std::array<int, 3>>{{409, 275, 97}, {411, 277, 71}, {205, 139, 50}}) {
    const ShrunkAlphaPair a = shrunk_alpha_both_ways(s[0], s[1], s[2], -1);
    ASSERT_EQ(a.shrunk.width(), a.full.width());
    ASSERT_EQ(a.shrunk.height(), a.full.height());
    const vips::VImage diff = (a.shrunk - a.full).abs();
    EXPECT_EQ(diff.crop(0, 0, diff.width() - 1, diff.height() - 1).max(), 0.0) << s[0] << "x" << s[1];
    EXPECT_LE(diff.max(), 64.0) << s[0] << "x" << s[1] << " -> " << s[2];
  }
}

}  // namespace
}  // namespace imgflo::runtime
