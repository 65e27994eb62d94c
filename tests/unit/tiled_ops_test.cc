// The ops computed per tile (runtime/ops/tiled.h) give the same pixels, bit
// for bit, as their whole-image computation: the op's output evaluated as one
// region (one tile: the whole input in one window, which is the computation
// these ops did before they were tiled) equals the output evaluated as
// libvips cuts it and as odd-sized tiles, on odd-sized inputs with alpha.
#include "support/op_harness.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace imgflo::test {
namespace {

// An odd-sized crop of gridbear with an alpha ramp and a transparent patch.
runtime::Image odd_input(int w, int h) {
  const vips::VImage rgb = vips::VImage::new_from_file(example("gridbear.jpg").c_str()).extract_area(3, 7, w, h);
  const vips::VImage xy = vips::VImage::xyz(w, h);
  vips::VImage alpha = xy.extract_band(0) * (255.0 / w);
  alpha = ((xy.extract_band(1) > 10) & (xy.extract_band(1) < 20)).ifthenelse(0.0, alpha);
  return runtime::Image{rgb.bandjoin(alpha.cast(VIPS_FORMAT_UCHAR)), runtime::fmt::kRpGpBpAU8, 0, 0};
}

// The pixels of `img` computed through one region as tw x th tiles (the
// whole image in one request when they cover it).
std::vector<float> pixels_by_tiles(const vips::VImage& img, int tw, int th) {
  const size_t pixel_floats = img.bands();
  std::vector<float> out(static_cast<size_t>(img.width()) * img.height() * pixel_floats);
  VipsRegion* region = vips_region_new(img.get_image());
  if (!region) throw vips::VError();
  const vips::VRegion owner(region);
  for (int ty = 0; ty < img.height(); ty += th) {
    for (int tx = 0; tx < img.width(); tx += tw) {
      VipsRect r{tx, ty, std::min(tw, img.width() - tx), std::min(th, img.height() - ty)};
      if (vips_region_prepare(region, &r)) throw vips::VError();
      for (int y = r.top; y < r.top + r.height; ++y) {
        std::memcpy(&out[(static_cast<size_t>(y) * img.width() + tx) * pixel_floats], VIPS_REGION_ADDR(region, tx, y),
                    sizeof(float) * pixel_floats * r.width);
      }
    }
  }
  return out;
}

std::vector<float> pixels_as_libvips_cuts(const vips::VImage& img) {
  const vips::VImage mem = img.copy_memory();
  const auto* p = static_cast<const float*>(mem.data());
  return std::vector<float>(p, p + static_cast<size_t>(img.width()) * img.height() * img.bands());
}

void expect_tile_independent(const std::string& component, const OpProps& props, int w, int h) {
  SCOPED_TRACE(component + " on " + std::to_string(w) + "x" + std::to_string(h));
  const runtime::Image out = run_op(component, props, odd_input(w, h));
  ASSERT_EQ(out.pixels.format(), VIPS_FORMAT_FLOAT);
  const std::vector<float> whole = pixels_by_tiles(out.pixels, out.width(), out.height());
  EXPECT_TRUE(whole == pixels_as_libvips_cuts(out.pixels)) << "libvips' tiles";
  EXPECT_TRUE(whole == pixels_by_tiles(out.pixels, 7, 5)) << "7x5 tiles";
  EXPECT_TRUE(whole == pixels_by_tiles(out.pixels, 1, 13)) << "1x13 tiles";
  // Not a constant image (a test that cannot fail otherwise).
  EXPECT_NE(*std::min_element(whole.begin(), whole.end()), *std::max_element(whole.begin(), whole.end()));
}

TEST(TiledOps, EdgeSobelSameAsWholeImage) {
  expect_tile_independent("gegl/edge-sobel", {}, 53, 41);
  expect_tile_independent("gegl/edge-sobel", {{"vertical", "false"}}, 31, 47);
  expect_tile_independent("gegl/edge-sobel", {{"horizontal", "false"}, {"keep-sign", "false"}}, 29, 23);
}

TEST(TiledOps, C2gSameAsWholeImage) {
  expect_tile_independent("gegl/c2g", {{"radius", "9"}, {"samples", "3"}, {"iterations", "2"}}, 53, 41);
  // A radius beyond the image: every tile reads the whole input.
  expect_tile_independent("gegl/c2g", {{"radius", "80"}, {"samples", "2"}, {"iterations", "3"}}, 37, 29);
}

TEST(TiledOps, NoiseCieLchSameAsWholeImage) {
  expect_tile_independent("gegl/noise-cie-lch", {{"seed", "7"}}, 53, 41);
}

}  // namespace
}  // namespace imgflo::test
