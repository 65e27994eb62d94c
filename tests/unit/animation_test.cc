// Animated GIF/WebP inputs through imgflo graphs (runtime/animation.h,
// runtime/frame_encode.h): every frame runs the graph, frame delays and loop
// are kept, limits are checked from the header, and each output frame is what
// the same graph makes of that frame saved as a still.
#include "app/runtimes.h"
#include "runtime/animation.h"
#include "runtime/catalogue.h"
#include "support/image_compare.h"
#include "support/paths.h"

#include <vips/vips8>

#include <gtest/gtest.h>

namespace imgflo::runtime {
namespace {

using vips::VImage;

constexpr int kFrames = 8;  // examples/time.gif: 8 frames of 500x500, 100 ms each, looping forever
constexpr int kSide = 500;
// Mean CIE dE76 a GIF (palette, dithered) or lossy WebP frame may be from the
// frame it encodes.
constexpr double kMeanDeltaOfEncoding = 2.0;
// The test suite's tolerance (max dE76 per pixel) for the same graph's frames.
constexpr double kTolerance = 1.5;

const Catalogue& catalogue() {
  static const auto cat = Catalogue::load(test::graph_dir(), app::builtin_runtimes());
  return **cat;
}

const std::string& time_gif() {
  static const std::string bytes = test::read_file(test::example("time.gif"));
  return bytes;
}

std::string save(const VImage& img, const char* suffix, vips::VOption* options = nullptr) {
  void* buf = nullptr;
  size_t len = 0;
  img.write_to_buffer(suffix, &buf, &len, options);
  std::string bytes(static_cast<const char*>(buf), len);
  g_free(buf);
  return bytes;
}

// Every frame of an animated file, as libvips decodes it.
VImage all_frames(const std::string& bytes) {
  return VImage::new_from_buffer(bytes.data(), bytes.size(), "", VImage::option()->set("n", -1));
}

// The same animation as a lossless animated WebP (built with libvips).
const std::string& time_webp() {
  static const std::string bytes = save(all_frames(time_gif()), ".webp", VImage::option()->set("lossless", true));
  return bytes;
}

int page_count(const VImage& strip) {
  return vips_image_get_typeof(strip.get_image(), "n-pages") ? strip.get_int("n-pages") : 1;
}

int page_height(const VImage& strip) {
  return vips_image_get_typeof(strip.get_image(), "page-height") ? strip.get_int("page-height") : strip.height();
}

VImage page(const VImage& strip, int index) {
  const int h = page_height(strip);
  return strip.extract_area(0, index * h, strip.width(), h);
}

// Frame `index` of an animated input as a still PNG.
std::string frame_png(const std::string& animated, int index) { return save(page(all_frames(animated), index), ".png"); }

Result<Output> run(const std::string& graph, const std::string& out_type, const std::string& input,
                   request::Params params = {}, DecodeLimits limits = {}) {
  auto entry = catalogue().find(graph);
  if (!entry.ok()) return entry.take_error();
  RunRequest req;
  req.out_type = out_type;
  req.input = input;
  req.params = std::move(params);
  req.limits = limits;
  return (*entry)->executable->run(req);
}

struct GraphCase {
  std::string graph;
  request::Params params;
  int width, height;  // of each output frame
};

class AnimatedGif : public testing::TestWithParam<GraphCase> {};

// GIF: each output frame is the still GIF the graph makes of that frame (the
// encoder quantises each frame on its own; where a pixel equals the previous
// frame's it reuses that frame's palette entry, so not always bit-exact: a few
// pixels of blurred frames differ by dE < 1, while neighbouring frames of
// time.gif differ by a mean dE of 12 or more).
TEST_P(AnimatedGif, EveryFrameIsTheGraphOfThatFrame) {
  const GraphCase& c = GetParam();
  auto out = run(c.graph, "gif", time_gif(), c.params);
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(out->content_type, "image/gif");
  const VImage strip = all_frames(out->bytes);
  ASSERT_EQ(strip.get_int("n-pages"), kFrames);
  EXPECT_EQ(page_height(strip), c.height);
  EXPECT_EQ(strip.width(), c.width);
  EXPECT_EQ(strip.get_array_int("delay"), std::vector<int>(kFrames, 100));
  EXPECT_EQ(strip.get_int("loop"), 0);
  for (int i = 0; i < kFrames; ++i) {
    auto still = run(c.graph, "gif", frame_png(time_gif(), i), c.params);
    ASSERT_TRUE(still.ok()) << still.error().message();
    ASSERT_EQ(page_count(all_frames(still->bytes)), 1);
    const test::Comparison cmp = test::compare_images(save(page(strip, i), ".png"), still->bytes);
    EXPECT_TRUE(cmp.passes(kTolerance)) << c.graph << " frame " << i << ": " << cmp.describe();
  }
  // And the palette encoding itself is faithful: the first frame against the graph's PNG of it.
  auto png = run(c.graph, "png", frame_png(time_gif(), 0), c.params);
  ASSERT_TRUE(png.ok()) << png.error().message();
  const test::Comparison cmp = test::compare_images(save(page(strip, 0), ".png"), png->bytes);
  EXPECT_LE(cmp.mean_delta, kMeanDeltaOfEncoding) << cmp.describe();
}

INSTANTIATE_TEST_SUITE_P(
    Graphs, AnimatedGif,
    testing::Values(GraphCase{"gradientmap", {}, kSide, kSide}, GraphCase{"passthrough", {}, kSide, kSide},
                    GraphCase{"crop", {{"x", "100"}, {"y", "50"}, {"cropwidth", "200"}, {"cropheight", "120"}}, 200,
                              120},
                    GraphCase{"passthrough", {{"width", "120"}}, 120, 120},  // rescaled per frame
                    GraphCase{"passthrough", {{"fit", "cover"}, {"width", "120"}, {"height", "60"}}, 120, 60},
                    GraphCase{"passthrough",
                              {{"background", "red"}, {"fit", "contain"}, {"width", "120"}, {"height", "60"}}, 60 * 2,
                              60},
                    GraphCase{"gaussianblur", {}, kSide, kSide}),            // a whole-frame op
    [](const testing::TestParamInfo<GraphCase>& info) {
      return info.param.graph + (info.param.params.empty() ? "" : "_" + info.param.params.front().first);
    });

// Lossy WebP: each output frame is close to the graph's still PNG of that
// frame, and closer to it than to the neighbouring frame's.
TEST(AnimatedWebp, FramesMatchTheGraphOfEachFrame) {
  auto out = run("gradientmap", "webp", time_gif());
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(out->content_type, "image/webp");
  EXPECT_EQ(out->extension, "webp");
  const VImage strip = all_frames(out->bytes);
  ASSERT_EQ(strip.get_int("n-pages"), kFrames);
  EXPECT_EQ(page_height(strip), kSide);
  EXPECT_EQ(strip.get_array_int("delay"), std::vector<int>(kFrames, 100));
  EXPECT_EQ(strip.get_int("loop"), 0);
  std::vector<std::string> truths;
  for (int i = 0; i < kFrames; ++i) {
    auto still = run("gradientmap", "png", frame_png(time_gif(), i));
    ASSERT_TRUE(still.ok()) << still.error().message();
    truths.push_back(still->bytes);
  }
  for (int i = 0; i < kFrames; ++i) {
    const std::string frame = save(page(strip, i), ".png");
    const test::Comparison own = test::compare_images(frame, truths[i]);
    const test::Comparison next = test::compare_images(frame, truths[(i + 1) % kFrames]);
    EXPECT_LE(own.mean_delta, kMeanDeltaOfEncoding) << "frame " << i << ": " << own.describe();
    EXPECT_LT(own.mean_delta, next.mean_delta) << "frame " << i;
  }
}

// An animated WebP input (lossless, built from time.gif) runs per frame too.
TEST(AnimatedWebp, InputKeepsFramesAndTiming) {
  auto out = run("passthrough", "gif", time_webp());
  ASSERT_TRUE(out.ok()) << out.error().message();
  const VImage strip = all_frames(out->bytes);
  ASSERT_EQ(strip.get_int("n-pages"), kFrames);
  EXPECT_EQ(strip.get_array_int("delay"), std::vector<int>(kFrames, 100));
  for (int i = 0; i < kFrames; ++i) {
    auto still = run("passthrough", "gif", frame_png(time_webp(), i));
    ASSERT_TRUE(still.ok()) << still.error().message();
    const test::Comparison cmp = test::compare_images(save(page(strip, i), ".png"), still->bytes);
    EXPECT_TRUE(cmp.passes(kTolerance)) << "frame " << i << ": " << cmp.describe();
  }
  auto webp = run("passthrough", "webp", time_webp());
  ASSERT_TRUE(webp.ok()) << webp.error().message();
  EXPECT_EQ(all_frames(webp->bytes).get_int("n-pages"), kFrames);
}

TEST(Animation, StillOutputTypesGetTheFirstFrame) {
  for (const char* type : {"png", "jpg"}) {
    auto out = run("passthrough", type, time_gif());
    ASSERT_TRUE(out.ok()) << out.error().message();
    auto first = run("passthrough", type, frame_png(time_gif(), 0));
    ASSERT_TRUE(first.ok()) << first.error().message();
    EXPECT_TRUE(out->bytes == first->bytes) << type;
  }
}

TEST(Animation, StillInputGivesOneFrame) {
  const std::string jpeg = test::read_file(test::example("gridbear.jpg"));
  for (const char* type : {"gif", "webp"}) {
    auto out = run("gradientmap", type, jpeg);
    ASSERT_TRUE(out.ok()) << out.error().message();
    const VImage img = all_frames(out->bytes);
    EXPECT_EQ(page_count(img), 1) << type;
    EXPECT_EQ(img.width(), 150);
    EXPECT_EQ(img.height(), 150);
    auto png = run("gradientmap", "png", jpeg);
    ASSERT_TRUE(png.ok());
    const test::Comparison cmp = test::compare_images(save(img, ".png"), png->bytes);
    EXPECT_LE(cmp.mean_delta, kMeanDeltaOfEncoding) << type << ": " << cmp.describe();
  }
}

TEST(Animation, ProbeReadsTheHeader) {
  auto a = probe_animation(time_gif());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->frames, kFrames);
  EXPECT_EQ((*a)->width, kSide);
  EXPECT_EQ((*a)->height, kSide);
  EXPECT_EQ((*a)->timing.delays_ms, std::vector<int>(kFrames, 100));
  auto still = probe_animation(frame_png(time_gif(), 0));
  ASSERT_TRUE(still.ok());
  EXPECT_FALSE(still->has_value());
  auto truncated = probe_animation(time_gif().substr(0, 20));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().kind(), ErrorKind::kUndecodable);
}

void expect_refused(const Result<Output>& out, const std::string& limit_name) {
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind(), ErrorKind::kTooLarge);
  EXPECT_EQ(out.error().status(), 422);
  EXPECT_NE(out.error().message().find(limit_name), std::string::npos) << out.error().message();
}

TEST(Animation, LimitsAreCheckedFromTheHeader) {
  DecodeLimits limits;
  limits.max_frames = kFrames - 1;
  expect_refused(run("gradientmap", "gif", time_gif(), {}, limits), "IMGFLO_MAX_FRAMES");
  limits.max_frames = kFrames;
  EXPECT_TRUE(run("passthrough", "gif", time_gif(), {{"width", "50"}}, limits).ok());

  limits.max_animation_pixels = uint64_t{kFrames} * kSide * kSide - 1;
  expect_refused(run("gradientmap", "webp", time_webp(), {}, limits), "IMGFLO_MAX_ANIMATION_PIXELS");
  limits.max_animation_pixels = uint64_t{kFrames} * kSide * kSide;
  // The frames the graph gets after width=600 are over the limit too.
  expect_refused(run("passthrough", "gif", time_gif(), {{"width", "600"}}, limits), "IMGFLO_MAX_ANIMATION_PIXELS");
  // A still output does not decode the other frames: no animation limit applies.
  limits.max_frames = 1;
  EXPECT_TRUE(run("passthrough", "png", time_gif(), {}, limits).ok());
}

TEST(Animation, StopIsHonouredBetweenFrames) {
  auto a = probe_animation(time_gif());
  ASSERT_TRUE(a.ok() && a->has_value());
  auto frames = AnimationFrames::open(time_gif(), **a, DecodeLimits{}.colour);
  ASSERT_TRUE(frames.ok()) << frames.error().message();
  Stop stop;
  int calls = 0;
  const FrameWork cancel_at_third = [&](const Image& frame) -> Result<Image> {
    if (++calls == 3) stop.token.cancel();
    return frame;
  };
  auto out = map_frames(*frames, cancel_at_third, stop, DecodeLimits{}.max_pixels);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind(), ErrorKind::kCancelled);
  EXPECT_EQ(calls, 3);
}

TEST(Animation, FramesOfDifferentSizesAreRefused) {
  auto a = probe_animation(time_gif());
  ASSERT_TRUE(a.ok() && a->has_value());
  auto frames = AnimationFrames::open(time_gif(), **a, DecodeLimits{}.colour);
  ASSERT_TRUE(frames.ok());
  int index = 0;
  const FrameWork shrinking = [&](const Image& frame) -> Result<Image> {
    const int side = kSide - 10 * index++;
    return Image{frame.pixels.extract_area(0, 0, side, side), frame.format, 0, 0};
  };
  auto out = map_frames(*frames, shrinking, {}, DecodeLimits{}.max_pixels);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind(), ErrorKind::kProcessingFailed);
  EXPECT_NE(out.error().message().find("500x500 and 490x490"), std::string::npos) << out.error().message();
  EXPECT_EQ(index, 2);

  const Image small{VImage::black(4, 4).cast(VIPS_FORMAT_UCHAR), fmt::kRpGpBpU8, 0, 0};
  const Image big{VImage::black(5, 4).cast(VIPS_FORMAT_UCHAR), fmt::kRpGpBpU8, 0, 0};
  auto encoded = encode_frames({small, big}, FrameFormat::kGif, {}, {});
  ASSERT_FALSE(encoded.ok());
  EXPECT_EQ(encoded.error().kind(), ErrorKind::kProcessingFailed);
}

// The same animation converted into ProPhoto RGB with that profile embedded
// (the WebP's ICCP chunk), lossless.
const std::string& time_webp_prophoto() {
  static const std::string bytes =
      save(all_frames(time_gif()).icc_transform("/usr/share/color/icc/colord/ProPhotoRGB.icc",
                                                VImage::option()->set("input_profile", "srgb")),
           ".webp", VImage::option()->set("lossless", true));
  return bytes;
}

// Frames of an animated WebP with an ICC profile are brought to sRGB as the
// still of each frame (same file, same profile) is; legacy mode ignores it.
TEST(AnimatedWebpWithProfile, EveryFrameIsConvertedAsAStill) {
  ASSERT_TRUE(all_frames(time_webp_prophoto()).get_typeof(VIPS_META_ICC_NAME) == VIPS_TYPE_BLOB);
  auto out = run("passthrough", "gif", time_webp_prophoto());
  ASSERT_TRUE(out.ok()) << out.error().message();
  DecodeLimits legacy;
  legacy.colour = ColourManagement::kLegacy;
  auto ignored = run("passthrough", "gif", time_webp_prophoto(), {}, legacy);
  ASSERT_TRUE(ignored.ok()) << ignored.error().message();
  const VImage strip = all_frames(out->bytes);
  const VImage ignored_strip = all_frames(ignored->bytes);
  ASSERT_EQ(page_count(strip), kFrames);
  for (int i = 0; i < kFrames; ++i) {
    auto still = run("passthrough", "gif", frame_png(time_webp_prophoto(), i));
    ASSERT_TRUE(still.ok()) << still.error().message();
    const test::Comparison cmp = test::compare_images(save(page(strip, i), ".png"), still->bytes);
    EXPECT_TRUE(cmp.passes(kTolerance)) << "frame " << i << ": " << cmp.describe();
    const test::Comparison raw = test::compare_images(save(page(ignored_strip, i), ".png"), still->bytes);
    EXPECT_FALSE(raw.passes(kTolerance)) << "legacy frame " << i << ": " << raw.describe();
  }
}

}  // namespace
}  // namespace imgflo::runtime
