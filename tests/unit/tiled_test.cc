// runtime/ops/tiled: the generic tiled float op gives the same pixels as a
// whole-image computation, however libvips cuts the output into tiles, with
// zeros outside the input; it stops on the Stop and survives a throwing tile.
#include "runtime/op.h"
#include "runtime/ops/tiled.h"
#include "runtime/vips_eval.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <algorithm>
#include <vector>

namespace imgflo::runtime::ops {
namespace {

// A w x h x bands float image of pseudo-random values in [-1, 1).
vips::VImage noise_image(int w, int h, int bands) {
  std::vector<float> v(static_cast<size_t>(w) * h * bands);
  uint32_t s = 12345;
  for (float& f : v) {
    s = s * 1664525u + 1013904223u;
    f = static_cast<float>(s >> 8) / static_cast<float>(1 << 23) - 1.0f;
  }
  VipsImage* img = vips_image_new_from_memory_copy(v.data(), v.size() * sizeof(float), w, h, bands, VIPS_FORMAT_FLOAT);
  if (!img) throw vips::VError();
  return vips::VImage(img);
}

// One term of the test op: the input pixel at (dx, dy) from the centre, times weight.
struct Tap {
  int dx, dy;
  float weight;
};

// Every pixel of the reach, each with its own weight.
std::vector<Tap> all_taps(const Reach& r) {
  std::vector<Tap> taps;
  for (int dy = -r.top; dy <= r.bottom; ++dy) {
    for (int dx = -r.left; dx <= r.right; ++dx) taps.push_back({dx, dy, static_cast<float>(1 + (dx + 7) * 3 + (dy + 11) * 5)});
  }
  return taps;
}

// The corners and the centre of the reach (cheap for huge reaches).
std::vector<Tap> corner_taps(const Reach& r) {
  return {{-r.left, -r.top, 2}, {r.right, r.bottom, 3}, {0, 0, 5}, {-r.left, r.bottom, 7}, {r.right, -r.top, 11}};
}

// The test op on the whole image: the weighted sum of the taps around each
// output pixel's centre (0 outside the input), plus a mark of whether that
// centre lies inside the input. Depends on the window pixels the taps name
// and on nothing else.
float pixel_value(const std::vector<float>& img, int w, int h, int bands, const TiledSpec& s,
                  const std::vector<Tap>& taps, int x, int y, int b) {
  const int cx = x + s.offset_x, cy = y + s.offset_y;
  float sum = (cx >= 0 && cy >= 0 && cx < w && cy < h) ? 1000.0f : 0.0f;
  for (const Tap& t : taps) {
    const int u = cx + t.dx, v = cy + t.dy;
    const float p = (u >= 0 && v >= 0 && u < w && v < h) ? img[(static_cast<size_t>(v) * w + u) * bands + b] : 0.0f;
    sum += p * t.weight;
  }
  return sum;
}

// The same sum per tile; reads only input pixels when the spec says it does
// (zero_outside false), otherwise every window pixel the taps name.
TileFn tap_sum(const TiledSpec& s, const std::vector<Tap>& taps) {
  return [s, taps](const InputWindow& in, const OutputTile& out, const Stop&) {
    for (int y = out.area.y; y < out.area.bottom(); ++y) {
      for (int x = out.area.x; x < out.area.right(); ++x) {
        const int cx = x + s.offset_x, cy = y + s.offset_y;
        for (int b = 0; b < out.bands; ++b) {
          float sum = in.in_input(cx, cy) ? 1000.0f : 0.0f;
          for (const Tap& t : taps) {
            const int u = cx + t.dx, v = cy + t.dy;
            sum += (s.zero_outside || in.in_input(u, v) ? in.at(u, v)[b] : 0.0f) * t.weight;
          }
          out.at(x, y)[b] = sum;
        }
      }
    }
    return true;
  };
}

std::vector<float> pixels_of(const vips::VImage& img) {
  size_t size = 0;
  void* mem = img.write_to_memory(&size);
  std::vector<float> v(static_cast<float*>(mem), static_cast<float*>(mem) + size / sizeof(float));
  g_free(mem);
  return v;
}

// Checks `out` against the whole-image computation, pixel by pixel, first
// evaluated as libvips chooses, then as tw x th tiles through one region.
void expect_whole_image_result(const vips::VImage& input, const TiledSpec& s, int tw, int th,
                               const std::vector<Tap>& taps) {
  const std::vector<float> in = pixels_of(input.cast(VIPS_FORMAT_FLOAT));
  auto out = tiled_image(input, s, Stop{}, tap_sum(s, taps));
  ASSERT_TRUE(out.ok()) << out.error().message();
  ASSERT_EQ(out->width(), s.width);
  ASSERT_EQ(out->height(), s.height);
  const std::vector<float> got = pixels_of(*out);
  int64_t mismatches = 0;
  for (int y = 0; y < s.height; ++y) {
    for (int x = 0; x < s.width; ++x) {
      for (int b = 0; b < s.bands; ++b) {
        const float want = pixel_value(in, input.width(), input.height(), input.bands(), s, taps, x, y, b);
        mismatches += got[(static_cast<size_t>(y) * s.width + x) * s.bands + b] != want;
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << "whole-image evaluation";

  VipsRegion* region = vips_region_new(out->get_image());
  ASSERT_NE(region, nullptr);
  const vips::VRegion owner(region);
  mismatches = 0;
  for (int ty = 0; ty < s.height; ty += th) {
    for (int tx = 0; tx < s.width; tx += tw) {
      VipsRect r{tx, ty, std::min(tw, s.width - tx), std::min(th, s.height - ty)};
      ASSERT_EQ(vips_region_prepare(region, &r), 0);
      for (int y = r.top; y < r.top + r.height; ++y) {
        const auto* row = reinterpret_cast<const float*>(VIPS_REGION_ADDR(region, r.left, y));
        for (int x = 0; x < r.width; ++x) {
          for (int b = 0; b < s.bands; ++b) {
            mismatches += row[x * s.bands + b] != got[(static_cast<size_t>(y) * s.width + r.left + x) * s.bands + b];
          }
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << tw << "x" << th << " tiles";
}

void expect_whole_image_result(const vips::VImage& input, const TiledSpec& s, int tw, int th) {
  expect_whole_image_result(input, s, tw, th, all_taps(s.reach));
}

TEST(TiledOp, SameAsWholeImageWithAsymmetricReachAndOffset) {
  const vips::VImage input = noise_image(37, 23, 3);
  const TiledSpec s{.width = 40, .height = 21, .bands = 3, .offset_x = -2, .offset_y = 1, .reach = {2, 3, 1, 0}};
  expect_whole_image_result(input, s, 7, 5);
  expect_whole_image_result(input, s, 1, 1);
}

TEST(TiledOp, SameAsWholeImageThroughTheRowCache) {
  const vips::VImage input = noise_image(61, 331, 2);
  TiledSpec s{.width = 61, .height = 331, .bands = 2, .reach = {1, kCachedReach, 2, 9}};
  expect_whole_image_result(input, s, 13, 29);
}

TEST(TiledOp, ReachLargerThanTheInput) {
  const vips::VImage input = noise_image(5, 3, 1);
  const TiledSpec s{.width = 5, .height = 3, .bands = 1, .reach = {9, 8, 7, 6}};
  expect_whole_image_result(input, s, 2, 2);
}

TEST(TiledOp, SameAsWholeImageWithWindowsClippedToTheInput) {
  const vips::VImage input = noise_image(37, 23, 3);
  const TiledSpec s{
      .width = 40, .height = 21, .bands = 3, .offset_x = -2, .offset_y = 1, .reach = {2, 3, 1, 0}, .zero_outside = false};
  expect_whole_image_result(input, s, 7, 5);
}

TEST(TiledOp, HugeReachReadsTheInputFromMemory) {
  // Windows of (128 + 2 x 700)^2 pixels: over kMaxWindowRatio tiles.
  const vips::VImage input = noise_image(301, 257, 1);
  TiledSpec s{.width = 301, .height = 257, .bands = 1, .reach = {700, 700, 700, 700}};
  ASSERT_GT((128 + 1400) * (128 + 1400), kMaxWindowRatio * 128 * 128);
  expect_whole_image_result(input, s, 97, 101, corner_taps(s.reach));
  // The input is computed here, under the Stop.
  Stop stop;
  stop.token.cancel();
  auto out = tiled_image(input, s, stop, tap_sum(s, corner_taps(s.reach)));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind(), ErrorKind::kCancelled);
  // Clipped to the input, a window is at most the 301 x 257 input: tiles again.
  s.zero_outside = false;
  expect_whole_image_result(input, s, 97, 101, corner_taps(s.reach));
  EXPECT_TRUE(tiled_image(input, s, stop, tap_sum(s, corner_taps(s.reach))).ok());
}

TEST(TiledOp, CastsNonFloatInput) {
  const vips::VImage input = noise_image(19, 17, 1).linear(100.0, 128.0).cast(VIPS_FORMAT_UCHAR);
  const TiledSpec s{.width = 19, .height = 17, .bands = 1, .reach = {1, 1, 1, 1}};
  expect_whole_image_result(input, s, 4, 4);
}

TEST(TiledOp, InvalidSpecIsAnError) {
  const vips::VImage input = noise_image(4, 4, 1);
  EXPECT_FALSE(tiled_image(input, TiledSpec{.width = 0, .height = 4, .bands = 1}, Stop{}, tap_sum({}, {})).ok());
  EXPECT_FALSE(
      tiled_image(input, TiledSpec{.width = 4, .height = 4, .bands = 1, .reach = {-1, 0, 0, 0}}, Stop{}, tap_sum({}, {}))
          .ok());
}

TEST(TiledOp, StopFailsTheEvaluationWithTheStopsError) {
  Stop stop;
  std::atomic<int> calls{0};
  auto out = tiled_image(noise_image(300, 300, 1), TiledSpec{.width = 300, .height = 300, .bands = 1}, stop,
                         [&calls](const InputWindow&, const OutputTile&, const Stop&) {
                           ++calls;
                           return true;
                         });
  ASSERT_TRUE(out.ok());
  stop.token.cancel();  // the image holds a copy of the Stop: the token is shared
  const OpContext ctx(stop, 1u << 30);
  auto mem = ctx.materialize(*out);
  ASSERT_FALSE(mem.ok());
  EXPECT_EQ(mem.error().kind(), ErrorKind::kCancelled);
  EXPECT_EQ(calls, 0);
}

// libvips 8.14 may report success when a tile fails while the last ones are computed (its
// thread pool reads the error flag before its workers finish): the failure reaches the
// evaluation through the Stop's tile_failures (this case failed now and then under ASan).
TEST(TiledOp, ThrowingTileFailsTheEvaluation) {
  const Stop stop;
  auto out = tiled_image(noise_image(50, 50, 1), TiledSpec{.width = 50, .height = 50, .bands = 1}, stop,
                         [](const InputWindow&, const OutputTile&, const Stop&) -> bool {
                           throw std::runtime_error("boom");
                         });
  ASSERT_TRUE(out.ok());
  const OpContext ctx(stop, 1u << 30);
  auto mem = ctx.materialize(*out);
  ASSERT_FALSE(mem.ok());
  EXPECT_EQ(mem.error().kind(), ErrorKind::kProcessingFailed);
}

// The libvips race itself cannot be forced: a tile failure counted while libvips reports
// success fails the evaluation, and only that evaluation.
TEST(TiledOp, ACountedTileFailureFailsTheEvaluationLibvipsReportsOk) {
  const Stop stop;
  const vips::VImage img = noise_image(8, 8, 1);
  const Status lost = evaluate(img, stop, "computing pixels", [&] {
    (void)img.copy_memory();
    stop.tile_failures.add();
  });
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().kind(), ErrorKind::kProcessingFailed);
  EXPECT_TRUE(evaluate(img, stop, "computing pixels", [&] { (void)img.copy_memory(); }).ok());
}

}  // namespace
}  // namespace imgflo::runtime::ops
