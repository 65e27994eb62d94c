// Baseline JPEG above a pixel count (IMGFLO_JPEG_BASELINE_ABOVE, loaders.h
// DecodeLimits::jpeg_baseline_above): off by default; when set, larger JPEG
// results are written baseline with the same coefficients (so the same
// decoded pixels), smaller ones stay progressive. The setting is range
// checked at start-up and listed in --help.
#include "app/config.h"
#include "graph/graph.h"
#include "runtime/codec.h"
#include "runtime/registry.h"
#include "runtime/runtime.h"
#include "support/paths.h"
#include "support/pixels.h"

#include <gtest/gtest.h>

#include <string>

namespace imgflo::runtime {
namespace {

// True for a progressive JPEG (SOF2), false for a baseline one (SOF0).
bool is_progressive(const std::string& jpeg) {
  const bool sof0 = jpeg.find("\xFF\xC0") != std::string::npos;
  const bool sof2 = jpeg.find("\xFF\xC2") != std::string::npos;
  EXPECT_NE(sof0, sof2) << "one frame header";
  return sof2;
}

// The bundled photo, 300 x 200, as the decoder gives it (R'G'B' u8).
Image photo() {
  const vips::VImage src = vips::VImage::new_from_file(test::example("mountains.png").c_str());
  const vips::VImage rgb = src.extract_band(0, vips::VImage::option()->set("n", 3));
  return Image{rgb.resize(300.0 / rgb.width(), vips::VImage::option()->set("vscale", 200.0 / rgb.height())),
               fmt::kRpGpBpU8};
}

TEST(JpegBaseline, ProgressiveUpToTheCountBaselineAbove) {
  EXPECT_TRUE(progressive_jpeg(100000, 100000, 0));  // 0 = off: always progressive
  EXPECT_TRUE(progressive_jpeg(300, 200, 60000));    // not more than the count
  EXPECT_FALSE(progressive_jpeg(301, 200, 60000));
  EXPECT_FALSE(progressive_jpeg(100000, 100000, 1));  // 10^10 pixels: no overflow
}

TEST(JpegBaseline, AboveTheCountTheSamePixelsWrittenBaseline) {
  const Image img = photo();
  auto progressive = encode(img, OutputType::kJpeg, {});
  auto at_count = encode(img, OutputType::kJpeg, {}, kJpegQuality, 60000);
  auto baseline = encode(img, OutputType::kJpeg, {}, kJpegQuality, 59999);
  ASSERT_TRUE(progressive.ok() && at_count.ok() && baseline.ok());
  EXPECT_TRUE(is_progressive(*progressive));
  EXPECT_TRUE(is_progressive(*at_count));
  EXPECT_EQ(*at_count, *progressive);
  EXPECT_FALSE(is_progressive(*baseline));
  EXPECT_TRUE(test::decode_pixels(*baseline).data == test::decode_pixels(*progressive).data);
  // Standard Huffman tables (optimised ones need the whole-image buffer):
  // the same as libvips' baseline save without optimize_coding.
  auto standard = encode_jpeg_pixels(img.pixels, {kJpegQuality, false, false, VIPS_FOREIGN_SUBSAMPLE_OFF}, {});
  ASSERT_TRUE(standard.ok());
  EXPECT_EQ(*baseline, *standard);
}

// Through the imgflo runtime: the server's setting reaches the encoder.
TEST(JpegBaseline, TheRuntimeWritesBaselineAboveTheServersCount) {
  auto g = graph::parse_fbp_graph("INPORT=n.INPUT:INPUT\nOUTPORT=n.OUTPUT:OUTPUT\nn(gegl/nop)\n", "n.fbp");
  ASSERT_TRUE(g.ok());
  auto exe = make_imgflo_runtime(builtin_registry())->compile(*g);
  ASSERT_TRUE(exe.ok());
  auto input = encode(photo(), OutputType::kJpeg, {});
  ASSERT_TRUE(input.ok());
  auto run = [&](uint64_t above) {
    RunRequest req;
    req.out_type = "jpg";
    req.input = *input;
    req.params = {{"width", "150"}};  // 150 x 100
    req.limits.jpeg_baseline_above = above;
    auto out = (*exe)->run(req);
    EXPECT_TRUE(out.ok()) << out.error().message();
    return out.ok() ? out->bytes : std::string();
  };
  EXPECT_TRUE(is_progressive(run(0)));
  EXPECT_TRUE(is_progressive(run(15000)));
  EXPECT_FALSE(is_progressive(run(14999)));
}

}  // namespace
}  // namespace imgflo::runtime

namespace imgflo::app {
namespace {

TEST(JpegBaseline, SettingIsOffByDefaultRangeCheckedAndListed) {
  auto defaults = Config::load({}, {});
  ASSERT_TRUE(defaults.ok()) << defaults.error().message();
  EXPECT_EQ(defaults->processor.limits.jpeg_baseline_above, 0u);
  auto env = Config::load({{"IMGFLO_JPEG_BASELINE_ABOVE", "16000000"}}, {});
  ASSERT_TRUE(env.ok()) << env.error().message();
  EXPECT_EQ(env->processor.limits.jpeg_baseline_above, 16'000'000u);
  auto flag = Config::load({{"IMGFLO_JPEG_BASELINE_ABOVE", "16000000"}}, {"--jpeg-baseline-above", "0"});
  ASSERT_TRUE(flag.ok()) << flag.error().message();
  EXPECT_EQ(flag->processor.limits.jpeg_baseline_above, 0u);
  for (const std::string bad : {"-1", "many", "1e13"}) {
    auto refused = Config::load({{"IMGFLO_JPEG_BASELINE_ABOVE", bad}}, {});
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.error().message().find("IMGFLO_JPEG_BASELINE_ABOVE"), std::string::npos)
        << refused.error().message();
  }
  for (auto program : {Config::Program::server, Config::Program::worker}) {
    EXPECT_NE(Config::help(program).find("--jpeg-baseline-above"), std::string::npos);
  }
}

}  // namespace
}  // namespace imgflo::app
