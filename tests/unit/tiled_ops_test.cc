// The ops computed per tile (runtime/ops/tiled.h) give the same pixels, bit
// for bit, as their whole-image computation: the op's output evaluated as one
// region (one tile: the whole input in one window, which is the computation
// these ops did before they were tiled) equals the output evaluated as
// libvips cuts it and as odd-sized tiles, on odd-sized inputs with alpha.
// gegl/noise-reduction's streaming scan is compared with a whole-area scan
// written here from the op's definition.
#include "support/op_harness.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace imgflo::test {
namespace {

// An odd-sized crop of grid-toastybob (up to 765 x 1017) with an alpha ramp
// and a transparent patch.
runtime::Image odd_input(int w, int h) {
  const vips::VImage rgb = vips::VImage::new_from_file(example("grid-toastybob.jpg").c_str()).extract_area(3, 7, w, h);
  const vips::VImage xy = vips::VImage::xyz(w, h);
  vips::VImage alpha = xy.extract_band(0) * (255.0 / w);
  alpha = ((xy.extract_band(1) > 10) & (xy.extract_band(1) < 20)).ifthenelse(0.0, alpha);
  return runtime::Image{rgb.bandjoin(alpha.cast(VIPS_FORMAT_UCHAR)), runtime::fmt::kRpGpBpAU8, 0, 0};
}

// The pixels of `img` computed through one region as tw x th tiles (the
// whole image in one request when they cover it), rows of tiles from the top
// or from the bottom.
std::vector<float> pixels_by_tiles(const vips::VImage& img, int tw, int th, bool bottom_up = false) {
  const size_t pixel_floats = img.bands();
  std::vector<float> out(static_cast<size_t>(img.width()) * img.height() * pixel_floats);
  VipsRegion* region = vips_region_new(img.get_image());
  if (!region) throw vips::VError();
  const vips::VRegion owner(region);
  const int tile_rows = (img.height() + th - 1) / th;
  for (int i = 0; i < tile_rows; ++i) {
    const int ty = (bottom_up ? tile_rows - 1 - i : i) * th;
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

float axis_change(float before, float centre, float after) {
  const float d = centre * 2 - before - after;
  return d * d;
}

// GEGL's noise-reduction on one channel of a whole working area `a` (aw
// wide, zero around the image), in place, pass after pass, row by row.
void whole_area_scan(std::vector<float>& a, int aw, int w, int h, int iterations) {
  static const int dx[8] = {-1, 0, 1, -1, 1, -1, 0, 1}, dy[8] = {-1, -1, -1, 0, 0, 1, 1, 1};
  for (int k = 0; k < iterations; ++k) {
    for (int y = 1; y <= h + 2 * (iterations - 1 - k); ++y) {
      for (int x = 1; x <= w + 2 * (iterations - 1 - k); ++x) {
        float* p = &a[static_cast<size_t>(y) * aw + x];
        float n[8];
        for (int i = 0; i < 8; ++i) n[i] = p[dy[i] * aw + dx[i]];
        float sum = *p;
        int count = 1;
        for (float neighbour : n) {
          const float v = neighbour * 0.5f + *p * 0.5f;
          bool accepted = true;
          for (int axis = 0; axis < 4; ++axis) {
            accepted = accepted && axis_change(n[axis], v, n[7 - axis]) <= axis_change(n[axis], *p, n[7 - axis]);
          }
          if (accepted) {
            sum += v;
            ++count;
          }
        }
        *p = sum / count;
      }
    }
  }
}

// The op's definition applied to `in` (w x h R'G'B'A float) as one region.
std::vector<float> noise_reduction_reference(const std::vector<float>& in, int w, int h, int iterations) {
  std::vector<float> out = in;
  const int aw = w + 2 * iterations, ah = h + 2 * iterations;
  for (int c = 0; c < 3; ++c) {
    std::vector<float> a(static_cast<size_t>(aw) * ah, 0.0f);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) a[static_cast<size_t>(y + iterations) * aw + x + iterations] = in[(y * w + x) * 4 + c];
    }
    whole_area_scan(a, aw, w, h, iterations);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) out[(y * w + x) * 4 + c] = a[static_cast<size_t>(y + iterations) * aw + x + iterations];
    }
  }
  return out;
}

void expect_noise_reduction_exact(int w, int h, int iterations) {
  SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h) + ", " + std::to_string(iterations) + " iterations");
  const runtime::Image input = runtime::convert(odd_input(w, h), runtime::fmt::kRpGpBpAFloat);
  const std::vector<float> want = noise_reduction_reference(pixels_as_libvips_cuts(input.pixels), w, h, iterations);
  const runtime::Image out = run_op("gegl/noise-reduction", {{"iterations", std::to_string(iterations)}}, input);
  EXPECT_TRUE(want == pixels_as_libvips_cuts(out.pixels)) << "libvips' tiles";
  EXPECT_TRUE(want == pixels_by_tiles(out.pixels, 7, 5)) << "7x5 tiles";
  EXPECT_TRUE(want == pixels_by_tiles(out.pixels, w, h)) << "one region";
  EXPECT_NE(want, pixels_as_libvips_cuts(input.pixels));  // it does smooth
}

TEST(TiledOps, NoiseReductionScanSameAsWholeArea) {
  expect_noise_reduction_exact(53, 41, 4);
  expect_noise_reduction_exact(29, 140, 1);  // taller than a batch of the scan
  expect_noise_reduction_exact(3, 2, 32);    // passes reaching far past a tiny image
}

TEST(TiledOps, NoiseReductionTilesAboveTheKeptRowsRestartTheScan) {
  const int w = 11, h = 1000;  // more rows than the scan keeps
  const runtime::Image input = runtime::convert(odd_input(w, h), runtime::fmt::kRpGpBpAFloat);
  const std::vector<float> want = noise_reduction_reference(pixels_as_libvips_cuts(input.pixels), w, h, 3);
  const runtime::Image out = run_op("gegl/noise-reduction", {{"iterations", "3"}}, input);
  EXPECT_TRUE(want == pixels_by_tiles(out.pixels, 5, 97, true)) << "bottom-up tiles";
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
