// The watermark graph through the runtime (graphs/watermark.json as the
// catalogue compiles it, run as the processor runs it): a named image input
// besides "input", placement by gravity, margin, scale, opacity, alpha
// composited premultiplied, and a bad watermark answered like a bad input
// with its name in the message.
#include "jobs/job.h"
#include "request/graph_request.h"
#include "request/image_inputs.h"
#include "support/pixels.h"

#include <gtest/gtest.h>

#include <cmath>

namespace imgflo::test {
namespace {

constexpr int kW = 200, kH = 100;

// A flat RGB image, PNG.
std::string flat_png(int w, int h, std::vector<double> rgb) {
  return png_bytes((vips::VImage::black(w, h, vips::VImage::option()->set("bands", 3)) + rgb).cast(VIPS_FORMAT_UCHAR));
}

// A flat RGBA image, PNG.
std::string flat_rgba_png(int w, int h, std::vector<double> rgba) {
  return png_bytes((vips::VImage::black(w, h, vips::VImage::option()->set("bands", 4)) + rgba).cast(VIPS_FORMAT_UCHAR));
}

const runtime::Executable& watermark_graph() {
  auto entry = bundled_catalogue().find("watermark");
  if (!entry.ok()) throw std::runtime_error(entry.error().message());
  return *(*entry)->executable;
}

Result<runtime::Output> run_watermark(const std::string& input, const std::string& mark, const request::Params& params,
                                      runtime::DecodeLimits limits = {}) {
  runtime::RunRequest req;
  req.out_type = "png";
  req.input = input;
  req.images = {{"watermark", mark}};
  req.params = params;
  req.limits = limits;
  return watermark_graph().run(req);
}

Pixels run_ok(const std::string& input, const std::string& mark, const request::Params& params) {
  auto out = run_watermark(input, mark, params);
  if (!out.ok()) throw std::runtime_error(out.error().message());
  return decode_pixels(out->bytes);
}

// The bounding box of pixels whose colour differs from `base` by more than 2.
runtime::Rect changed(const Pixels& out, const Pixels& base) {
  int x0 = out.width, y0 = out.height, x1 = -1, y1 = -1;
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      bool differs = false;
      for (int b = 0; b < 3; ++b) differs |= std::abs(out.at(x, y, b) - base.at(x, y, b)) > 2;
      if (!differs) continue;
      x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
    }
  }
  return x1 < 0 ? runtime::Rect{} : runtime::Rect{x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

TEST(Watermark, TheGraphDeclaresItsSecondImageInput) {
  EXPECT_EQ(watermark_graph().image_inputs(), std::vector<std::string>{"watermark"});
  const auto& listing = bundled_catalogue().listing()["graphs"]["watermark"]["inports"];
  EXPECT_EQ(listing["watermark"]["metadata"]["type"], "buffer");
  EXPECT_EQ(listing["position"]["metadata"]["type"], "enum");
  EXPECT_EQ(listing["position"]["metadata"]["default"], "southeast");
  EXPECT_EQ(listing["opacity"]["metadata"]["maximum"], 1.0);
  EXPECT_EQ(listing["scale"]["metadata"]["type"], "number");
  EXPECT_EQ(listing["margin"]["metadata"]["type"], "int");
}

TEST(Watermark, EveryPositionChangesOnlyItsRectangle) {
  const std::string input = flat_png(kW, kH, {90, 90, 90});
  const std::string mark = flat_png(50, 25, {250, 20, 20});  // scale 0.2 -> 40 x 20
  const Pixels base = decode_pixels(input);
  struct Case {
    std::string position;
    runtime::Rect expected;
  };
  const std::vector<Case> cases = {
      {"northwest", {10, 10, 40, 20}}, {"north", {80, 10, 40, 20}},  {"northeast", {150, 10, 40, 20}},
      {"west", {10, 40, 40, 20}},      {"centre", {80, 40, 40, 20}}, {"east", {150, 40, 40, 20}},
      {"southwest", {10, 70, 40, 20}}, {"south", {80, 70, 40, 20}},  {"southeast", {150, 70, 40, 20}},
  };
  for (const auto& c : cases) {
    const Pixels out = run_ok(input, mark, {{"position", c.position}, {"scale", "0.2"}});
    ASSERT_EQ(out.width, kW);
    ASSERT_EQ(out.height, kH);
    EXPECT_EQ(changed(out, base), c.expected) << c.position;
    const runtime::Rect& r = c.expected;
    EXPECT_NEAR(out.at(r.x + r.width / 2, r.y + r.height / 2, 0), 250, 2) << c.position;
  }
}

TEST(Watermark, DefaultsAreSoutheastMarginTenAQuarterWide) {
  const std::string input = flat_png(kW, kH, {90, 90, 90});
  const Pixels out = run_ok(input, flat_png(100, 20, {0, 0, 250}), {});
  EXPECT_EQ(changed(out, decode_pixels(input)), (runtime::Rect{140, 80, 50, 10}));
}

TEST(Watermark, MarginAndScaleMoveAndSizeIt) {
  const std::string input = flat_png(kW, kH, {90, 90, 90});
  const Pixels base = decode_pixels(input);
  const std::string mark = flat_png(30, 30, {250, 250, 20});
  EXPECT_EQ(changed(run_ok(input, mark, {{"position", "northwest"}, {"margin", "0"}, {"scale", "0.1"}}), base),
            (runtime::Rect{0, 0, 20, 20}));
  EXPECT_EQ(changed(run_ok(input, mark, {{"position", "northwest"}, {"margin", "25"}, {"scale", "0.3"}}), base),
            (runtime::Rect{25, 25, 60, 60}));
}

TEST(Watermark, OpacityZeroLeavesTheInputAndAHalfMixesInSrgb) {
  const std::string input = flat_png(kW, kH, {90, 90, 90});
  const std::string mark = flat_png(50, 50, {250, 20, 20});
  const Pixels base = decode_pixels(input);
  const Pixels none = run_ok(input, mark, {{"opacity", "0"}});
  EXPECT_EQ(changed(none, base), runtime::Rect{});
  const Pixels half = run_ok(input, mark, {{"opacity", "0.5"}, {"position", "centre"}});
  EXPECT_NEAR(half.at(100, 50, 0), (250 + 90) / 2.0, 1.5);
  EXPECT_NEAR(half.at(100, 50, 1), (20 + 90) / 2.0, 1.5);
}

// A watermark with alpha: transparent parts leave the input alone, and
// resampling is premultiplied, so the colour hidden under zero alpha (green
// here) never bleeds into the visible edge.
TEST(Watermark, AlphaIsCompositedPremultiplied) {
  const std::string input = flat_png(kW, kH, {0, 0, 0});
  const vips::VImage left = vips::VImage::black(50, 100, vips::VImage::option()->set("bands", 4)) +
                            std::vector<double>{255, 255, 255, 255};
  const vips::VImage right = vips::VImage::black(50, 100, vips::VImage::option()->set("bands", 4)) +
                             std::vector<double>{0, 255, 0, 0};
  const std::string mark = png_bytes(left.join(right, VIPS_DIRECTION_HORIZONTAL).cast(VIPS_FORMAT_UCHAR));
  // 100 x 100 -> 37 x 37: a non-integer shrink mixes the two halves at the seam.
  const Pixels out = run_ok(input, mark, {{"scale", "0.185"}, {"position", "northwest"}, {"margin", "0"}});
  EXPECT_EQ(out.at(5, 5, 0), 255);       // the opaque white half
  EXPECT_LE(out.at(33, 5, 1), 2);        // the transparent half: the black input
  for (int x = 0; x < 37; ++x) {         // no green anywhere, the seam included
    EXPECT_LE(out.at(x, 10, 1), out.at(x, 10, 0) + 1) << x;
  }
  const Pixels half = run_ok(input, flat_rgba_png(40, 40, {255, 255, 255, 128}), {{"position", "centre"}});
  EXPECT_NEAR(half.at(100, 50, 0), 128, 2);  // white at alpha 0.5 over black, in sRGB
}

TEST(Watermark, ABadWatermarkIsRefusedLikeABadInputWithItsName) {
  const std::string input = flat_png(kW, kH, {90, 90, 90});
  auto garbage = run_watermark(input, "this is not an image", {});
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().kind(), ErrorKind::kUndecodable);
  EXPECT_TRUE(garbage.error().message().starts_with("watermark: ")) << garbage.error().message();
  EXPECT_EQ(garbage.error().details()["image_input"], "watermark");

  runtime::DecodeLimits small;
  small.max_pixels = 30'000;  // the input (20 000 px) fits, the watermark (40 000 px) does not
  auto big = run_watermark(input, flat_png(200, 200, {1, 2, 3}), {}, small);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().kind(), ErrorKind::kTooLarge);
  EXPECT_TRUE(big.error().message().starts_with("watermark: ")) << big.error().message();

  std::string truncated = flat_png(300, 100, {10, 200, 30});
  truncated.resize(truncated.size() / 2);
  auto cut = run_watermark(input, truncated, {});
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().kind(), ErrorKind::kUndecodable) << cut.error().message();
  EXPECT_TRUE(cut.error().message().starts_with("watermark: ")) << cut.error().message();
}

TEST(Watermark, WithoutTheWatermarkTheCheckRefusesNamingIt) {
  runtime::RunRequest req;
  req.out_type = "png";
  req.input = std::string_view("x");
  const Status st = watermark_graph().check(req);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(st.error().details()["parameter"], "watermark");
}

TEST(ImageInputs, TakenOutOfTheParametersLastOneWins) {
  request::Params params = {{"watermark", "a"}, {"opacity", "0.5"}, {"watermark", "b"}};
  const request::ImageRefs refs = request::take_image_inputs(params, {"watermark", "other"});
  EXPECT_EQ(refs, (request::ImageRefs{{"watermark", "b"}}));
  EXPECT_EQ(params, (request::Params{{"opacity", "0.5"}}));
}

// The key hashes the whole raw query: each image input is in it.
TEST(ImageInputs, TheCacheKeyCoversTheWatermark) {
  auto a = request::parse_graph_request("/graph/watermark.png?input=files/a.jpg&watermark=files/logo.png");
  auto b = request::parse_graph_request("/graph/watermark.png?input=files/a.jpg&watermark=files/other.png");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->cache_key, b->cache_key);
}

// The distributed path: the job message carries the named image inputs;
// a message without them (an older frontend) reads as none.
TEST(ImageInputs, TravelInTheJobMessage) {
  auto parsed = request::parse_graph_request("/graph/watermark.png?input=files/a.jpg&watermark=files/logo.png&margin=3");
  ASSERT_TRUE(parsed.ok());
  parsed->images = request::take_image_inputs(parsed->params, {"watermark"});
  const jobs::Job job = jobs::job_from_request(std::move(*parsed));
  EXPECT_EQ(job.images, (request::ImageRefs{{"watermark", "files/logo.png"}}));
  EXPECT_EQ(job.params, (request::Params{{"margin", "3"}}));
  auto back = jobs::job_from_json(jobs::to_json(job));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->images, job.images);
  nlohmann::json old = jobs::to_json(job);
  old.erase("images");
  auto older = jobs::job_from_json(old);
  ASSERT_TRUE(older.ok());
  EXPECT_TRUE(older->images.empty());
  old["images"] = {{"watermark"}};  // malformed pair
  EXPECT_FALSE(jobs::job_from_json(old).ok());
}

}  // namespace
}  // namespace imgflo::test
