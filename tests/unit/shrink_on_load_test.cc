// Shrink-on-load (runtime/shrink_on_load.h): the shrunk sizes are the ones
// the loaders really make (libjpeg's and libvips' webpload, asked through
// headers patched to every odd size 1..4095), and the chosen factor is the
// largest at which the real decode is not smaller than the planned output.
// A 2048 x 1365 photo to width 512 decodes at 1/4 (1365 / 4 rounds up) and
// the rescale of that decode is a copy.
#include "runtime/codec.h"
#include "runtime/jpeg_decode.h"
#include "runtime/rescale.h"
#include "runtime/shrink_on_load.h"
#include "support/paths.h"
#include "support/pixels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace imgflo::runtime {
namespace {

constexpr uint64_t kShrinkTestNoPixelLimit = 1'000'000'000'000ULL;
constexpr int kMaxSide = 4096;

std::string saved(const vips::VImage& img, const char* suffix) {
  void* buf = nullptr;
  size_t len = 0;
  img.write_to_buffer(suffix, &buf, &len);
  std::string bytes(static_cast<char*>(buf), len);
  g_free(buf);
  return bytes;
}

// A small baseline JPEG whose SOF0 header can be rewritten to any size:
// libjpeg reads only the header, so the pixels never need to match.
class JpegHeader {
 public:
  JpegHeader() : bytes_(saved(vips::VImage::black(8, 8), ".jpg[interlace=false]")) {
    sof_ = bytes_.find("\xFF\xC0");
    EXPECT_NE(sof_, std::string::npos);
  }
  // libjpeg's decoded width and height of a w x h JPEG at `shrink`.
  std::pair<int, int> decoded(int w, int h, int shrink) {
    put16(sof_ + 5, h);
    put16(sof_ + 7, w);
    auto size = jpeg_decoded_size(bytes_, shrink);
    EXPECT_TRUE(size.ok()) << w << "x" << h;
    return size.ok() ? *size : std::pair<int, int>{0, 0};
  }

 private:
  void put16(size_t at, int v) {
    bytes_[at] = static_cast<char>(v >> 8);
    bytes_[at + 1] = static_cast<char>(v & 0xFF);
  }
  std::string bytes_;
  size_t sof_ = 0;
};

// A lossless WebP whose sizes are rewritten: the VP8L header (14-bit width
// - 1 and height - 1) and, when libvips wrote the extended format, the VP8X
// canvas (24-bit width - 1 and height - 1); webpload reads the header and
// computes the scaled size.
class WebpHeader {
 public:
  WebpHeader() : bytes_(saved(vips::VImage::black(1, 1), ".webp[lossless=true,strip=true]")) {
    vp8l_ = bytes_.find("VP8L");
    EXPECT_NE(vp8l_, std::string::npos);
    EXPECT_EQ(static_cast<uint8_t>(bytes_[vp8l_ + 8]), 0x2F);
  }
  // The width and height our WebP loader call (loaders.h, scale 1 / shrink)
  // gives a w x h WebP; nullopt when it refuses.
  std::optional<std::pair<int, int>> loaded(int w, int h, int shrink) {
    const size_t bits_at = vp8l_ + 9;
    uint32_t bits = 0;
    for (int i = 0; i < 4; ++i) bits |= static_cast<uint32_t>(static_cast<uint8_t>(bytes_[bits_at + i])) << (8 * i);
    bits = (bits & ~0x0FFFFFFFu) | static_cast<uint32_t>(w - 1) | static_cast<uint32_t>(h - 1) << 14;
    put_le(bits_at, bits, 4);
    if (bytes_.compare(12, 4, "VP8X") == 0) {
      put_le(24, static_cast<uint32_t>(w - 1), 3);
      put_le(27, static_cast<uint32_t>(h - 1), 3);
    }
    const Blob blob(bytes_);
    auto v = open_with_libvips(ImageType::kWebp, blob, {shrink, 1.0, false});
    if (!v.ok()) return std::nullopt;
    return std::pair<int, int>{v->width(), v->height()};
  }

 private:
  void put_le(size_t at, uint32_t v, int n) {
    for (int i = 0; i < n; ++i) bytes_[at + i] = static_cast<char>(v >> (8 * i));
  }
  std::string bytes_;
  size_t vp8l_ = 0;
};

// Targets for a side of n pixels: fixed sizes and fractions of n, at most n.
std::vector<int> targets(int n) {
  std::vector<int> out;
  for (int t : {1, 2, 3, 7, 100, 341, 342, 512, n / 8, n / 8 + 1, n / 4, n / 4 + 1, n / 3, n / 2, n - 1, n}) {
    if (t >= 1 && t <= n) out.push_back(t);
  }
  return out;
}

// The plans a width, a height or both (stretched) toward the targets give.
std::vector<RescalePlan> plans_for(int w, int h) {
  std::vector<std::pair<int, int>> requests;
  for (int t : targets(w)) requests.emplace_back(t, -1);
  for (int t : targets(h)) requests.emplace_back(-1, t);
  for (int t : targets(std::min(w, h))) requests.emplace_back(t, t);
  std::vector<RescalePlan> plans;
  for (auto [width, height] : requests) {
    RescaleRequest req;
    req.width = width;
    req.height = height;
    auto plan = plan_rescale(w, h, req, kShrinkTestNoPixelLimit);
    EXPECT_TRUE(plan.ok()) << w << "x" << h << " to " << width << "x" << height;
    if (plan.ok()) plans.push_back(*plan);
  }
  return plans;
}

// Odd sides 1..4095 paired with another odd side.
template <typename F>
void for_odd_sizes(F&& check) {
  for (int w = 1; w < kMaxSide && !::testing::Test::HasFatalFailure(); w += 2) check(w, kMaxSide - w);
}

TEST(ShrinkOnLoad, JpegSidesAreLibjpegsCeiling) {
  JpegHeader jpeg;
  for_odd_sizes([&](int w, int h) {
    for (int f : {1, 2, 4, 8}) {
      const auto [dw, dh] = jpeg.decoded(w, h, f);
      ASSERT_EQ(dw, shrunk_side(ImageType::kJpeg, w, f)) << w << " / " << f;
      ASSERT_EQ(dh, shrunk_side(ImageType::kJpeg, h, f)) << h << " / " << f;
    }
  });
  EXPECT_EQ(shrunk_side(ImageType::kJpeg, 1365, 4), 342);  // the photo: not 341
}

TEST(ShrinkOnLoad, WebpSidesAreWebploadsRounding) {
  WebpHeader webp;
  for_odd_sizes([&](int w, int h) {
    for (int f : {1, 2, 4, 8}) {
      const auto loaded = webp.loaded(w, h, f);
      const int sw = shrunk_side(ImageType::kWebp, w, f), sh = shrunk_side(ImageType::kWebp, h, f);
      if (sw == 0 || sh == 0) {
        ASSERT_FALSE(loaded) << w << "x" << h << " / " << f << " should be refused";
        continue;
      }
      ASSERT_TRUE(loaded) << w << "x" << h << " / " << f;
      ASSERT_EQ(loaded->first, sw) << w << " / " << f;
      ASSERT_EQ(loaded->second, sh) << h << " / " << f;
    }
  });
}

TEST(ShrinkOnLoad, OtherTypesAreNeverShrunk) {
  for (ImageType t : {ImageType::kPng, ImageType::kGif, ImageType::kHeif, ImageType::kAvif, ImageType::kJxl,
                      ImageType::kTiff, ImageType::kSvg}) {
    RescaleRequest req;
    req.width = 10;
    auto plan = plan_rescale(4000, 3000, req, kShrinkTestNoPixelLimit);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(shrink_on_load_factor(t, 4000, 3000, *plan), 1) << type_extension(t);
    EXPECT_EQ(shrunk_side(t, 4001, 8), 4001);
  }
}

// The property: the real decoded size at a chosen factor above 1 covers the
// plan's output, and at every larger factor it would not (1 = no shrink, as
// for an enlargement).
TEST(ShrinkOnLoad, ChosenJpegFactorIsTheLargestThatDoesNotUnderShoot) {
  JpegHeader jpeg;
  int shrunk = 0, checked = 0;
  for_odd_sizes([&](int w, int h) {
    for (const RescalePlan& plan : plans_for(w, h)) {
      const int f = shrink_on_load_factor(ImageType::kJpeg, w, h, plan);
      const auto [dw, dh] = jpeg.decoded(w, h, f);
      ASSERT_TRUE(f == 1 || (dw >= plan.out_width && dh >= plan.out_height))
          << w << "x" << h << " -> " << plan.out_width << "x" << plan.out_height << " at 1/" << f;
      for (int g : kShrinkFactors) {
        if (g <= f) break;
        const auto [gw, gh] = jpeg.decoded(w, h, g);
        ASSERT_TRUE(gw < plan.out_width || gh < plan.out_height)
            << w << "x" << h << " -> " << plan.out_width << "x" << plan.out_height << ": 1/" << g << " fits, chose 1/"
            << f;
      }
      shrunk += f > 1;
      ++checked;
    }
  });
  EXPECT_GT(shrunk, checked / 2);  // the sweep exercises shrinking, not only factor 1
}

TEST(ShrinkOnLoad, ChosenWebpFactorIsTheLargestThatDoesNotUnderShoot) {
  for_odd_sizes([&](int w, int h) {
    for (const RescalePlan& plan : plans_for(w, h)) {
      const int f = shrink_on_load_factor(ImageType::kWebp, w, h, plan);
      auto fits = [&](int g) {
        const int sw = shrunk_side(ImageType::kWebp, w, g), sh = shrunk_side(ImageType::kWebp, h, g);
        return sw >= plan.out_width && sh >= plan.out_height;
      };
      ASSERT_TRUE(f == 1 || fits(f)) << w << "x" << h << " at 1/" << f;
      for (int g : kShrinkFactors) {
        if (g > f) {
          ASSERT_FALSE(fits(g)) << w << "x" << h << ": 1/" << g << " fits, chose 1/" << f;
        }
      }
    }
  });
}

// A JPEG of w x h from the bundled photo (stretched), written as the inputs were.
std::string photo_jpeg(int w, int h) {
  const vips::VImage src = vips::VImage::new_from_file(test::example("mountains.png").c_str());
  return saved(src.resize(static_cast<double>(w) / src.width(),
                          vips::VImage::option()->set("vscale", static_cast<double>(h) / src.height()))
                   .extract_band(0, vips::VImage::option()->set("n", 3)),
               ".jpg[Q=90]");
}

// 2048 x 1365 to width 512: 512 x 342 (341.25 rounded outward), decoded at
// 1/4 by libjpeg as 512 x 342, and rescaled by exactly 1: the same pixels.
TEST(ShrinkOnLoad, ThumbnailOfA1365HighPhotoIsTheQuarterDecode) {
  const std::string jpeg = photo_jpeg(2048, 1365);
  const test::Pixels out = test::decode_pixels(test::run_graph("passthrough", jpeg, {{"width", "512"}}, "png"));
  ASSERT_EQ(out.width, 512);
  ASSERT_EQ(out.height, 342);
  auto quarter = decode(jpeg, {{}, 4, {}});
  ASSERT_TRUE(quarter.ok());
  ASSERT_EQ(quarter->width(), 512);
  ASSERT_EQ(quarter->height(), 342);
  const test::Pixels expected = test::decode_pixels(test::png_bytes(quarter->pixels));
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      for (int b = 0; b < 3; ++b) ASSERT_EQ(out.at(x, y, b), expected.at(x, y, b)) << x << "," << y << " band " << b;
    }
  }
}

// The source extent keeps the geometry: 2048 x 1367 to width 500 decodes at
// 1/4 (512 x 342 for 512 x 341.75 of input) and scales by 500 / 512 on both axes.
TEST(ShrinkOnLoad, SourceExtentIsTheInputOverTheFactor) {
  RescaleRequest req;
  req.width = 500;
  auto plan = plan_rescale(2048, 1367, req, kShrinkTestNoPixelLimit);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(shrink_on_load_factor(ImageType::kJpeg, 2048, 1367, *plan), 4);
  const RescalePlan shrunk = plan_for_shrunk(*plan, ImageType::kJpeg, 2048, 1367, 4);
  EXPECT_DOUBLE_EQ(shrunk.source_width, 512.0);
  EXPECT_DOUBLE_EQ(shrunk.source_height, 341.75);
  EXPECT_DOUBLE_EQ(plan->exact_width / shrunk.source_width, plan->exact_height / shrunk.source_height);
  EXPECT_EQ(plan_for_shrunk(*plan, ImageType::kWebp, 2048, 1367, 4).source_width, 0.0);  // webpload resamples
  EXPECT_EQ(plan_for_shrunk(*plan, ImageType::kJpeg, 2048, 1367, 1).source_width, 0.0);
}

}  // namespace
}  // namespace imgflo::runtime
