// The universal fit parameters: parsing at the edge (take_rescale_params),
// the plan's sizes and offsets for each fit, aspect, gravity and dpr, the
// limits, contain's padding, and shrink-on-load kept for cover.
#include "runtime/codec.h"
#include "runtime/fit.h"
#include "runtime/registry.h"
#include "runtime/rescale.h"
#include "runtime/shrink_on_load.h"
#include "runtime/runtime.h"
#include "core/text.h"
#include "graph/graph.h"
#include "request/graph_request.h"
#include "support/paths.h"
#include "support/pixels.h"

#include <gtest/gtest.h>

#include <limits>

namespace imgflo::runtime {
namespace {

constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

Result<RescaleRequest> take(request::Params params) { return take_rescale_params(params); }

RescalePlan plan_for(int in_w, int in_h, request::Params params, uint64_t max_pixels = kNoLimit) {
  auto req = take(std::move(params));
  EXPECT_TRUE(req.ok()) << req.error().message();
  auto plan = plan_rescale(in_w, in_h, *req, max_pixels);
  EXPECT_TRUE(plan.ok()) << plan.error().message();
  return *plan;
}

struct Sizes {
  int out_w, out_h, box_w, box_h, x, y;
  bool operator==(const Sizes&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Sizes& s) {
  return os << s.out_w << "x" << s.out_h << " in " << s.box_w << "x" << s.box_h << " at " << s.x << "," << s.y;
}
Sizes sizes(const RescalePlan& p) {
  return {p.out_width, p.out_height, p.box_width, p.box_height, p.offset_x, p.offset_y};
}
Sizes sizes_for(int in_w, int in_h, const std::string& fit, const std::string& gravity = "centre") {
  return sizes(plan_for(in_w, in_h, {{"width", "100"}, {"height", "100"}, {"fit", fit}, {"gravity", gravity}}));
}

TEST(FitParams, TakesTheirParametersAndLeavesTheRest) {
  request::Params params = {{"fit", "inside"}, {"x", "1"}, {"width", "10"}, {"fit", "cover"}, {"height", "5"},
                            {"gravity", "north"}, {"background", "#ff0000"}, {"dpr", "2"}};
  auto req = take_rescale_params(params);
  ASSERT_TRUE(req.ok()) << req.error().message();
  EXPECT_EQ(params, (request::Params{{"x", "1"}}));
  EXPECT_EQ(req->fit, Fit::kCover);  // the last occurrence counts
  EXPECT_EQ(req->gravity, Gravity::kNorth);
  EXPECT_EQ(req->background, Color::from_srgb(1, 0, 0));
  EXPECT_DOUBLE_EQ(req->dpr, 2.0);
  EXPECT_EQ(req->width, 10);
}

TEST(FitParams, DefaultsAreTodaysRescale) {
  auto req = take({{"width", "10"}});
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->fit, Fit::kFill);
  EXPECT_EQ(req->gravity, Gravity::kCentre);
  EXPECT_EQ(req->background.a, 0.0);
  EXPECT_EQ(req->dpr, 1.0);
}

TEST(FitParams, BadValuesAreA400NamingTheParameter) {
  const std::vector<std::pair<request::Params, std::string>> cases = {
      {{{"fit", "crop"}}, "fit"},
      {{{"fit", "Cover"}}, "fit"},
      {{{"gravity", "top"}}, "gravity"},
      {{{"background", "notacolour"}}, "background"},
      {{{"dpr", "5"}}, "dpr"},
      {{{"dpr", "0.5"}}, "dpr"},
      {{{"dpr", "abc"}}, "dpr"},
      {{{"dpr", "nan"}}, "dpr"},
      {{{"dpr", "-2"}}, "dpr"},
      {{{"width", "10"}, {"fit", "cover"}}, "fit"},                     // cover needs both sides
      {{{"height", "10"}, {"fit", "contain"}}, "fit"},
      {{{"fit", "cover"}}, "fit"},
      {{{"width", "10"}, {"height", "0"}, {"fit", "contain"}}, "fit"},  // 0 is a free side
      {{{"width", "10"}, {"height", "10"}, {"fit", "contain"}, {"gravity", "smart"}}, "gravity"},
      {{{"width", "10"}, {"gravity", "smart"}}, "gravity"},
  };
  for (const auto& [params, name] : cases) {
    auto req = take(params);
    ASSERT_FALSE(req.ok()) << params.back().first << "=" << params.back().second;
    EXPECT_EQ(req.error().kind(), ErrorKind::kInvalidArgument);
    EXPECT_EQ(req.error().details().at("parameter"), name) << req.error().message();
  }
}

TEST(FitParams, AcceptedCombinations) {
  for (const request::Params& params : std::vector<request::Params>{
           {{"fit", "inside"}, {"width", "10"}},      // one side: aspect kept
           {{"fit", "outside"}, {"height", "10"}},
           {{"fit", "fill"}},                          // no size: nothing to do
           {{"dpr", "1"}}, {{"dpr", "4"}}, {{"dpr", "1.5"}},
           {{"gravity", "east"}, {"width", "10"}},    // ignored without cover/contain
           {{"background", "none"}}, {{"background", "rgba(1,0,0,0.5)"}},
           {{"fit", "cover"}, {"gravity", "smart"}, {"width", "3"}, {"height", "4"}}}) {
    EXPECT_TRUE(take(params).ok()) << params.front().first << "=" << params.front().second;
  }
}

// A landscape 400x200 and a portrait 200x400 input into a 100x100 box.
TEST(FitPlan, SizesForEachFitAndAspect) {
  EXPECT_EQ(sizes_for(400, 200, "fill"), (Sizes{100, 100, 100, 100, 0, 0}));
  EXPECT_EQ(sizes_for(400, 200, "inside"), (Sizes{100, 50, 100, 50, 0, 0}));
  EXPECT_EQ(sizes_for(200, 400, "inside"), (Sizes{50, 100, 50, 100, 0, 0}));
  EXPECT_EQ(sizes_for(400, 200, "outside"), (Sizes{200, 100, 200, 100, 0, 0}));
  EXPECT_EQ(sizes_for(200, 400, "outside"), (Sizes{100, 200, 100, 200, 0, 0}));
  EXPECT_EQ(sizes_for(400, 200, "cover"), (Sizes{200, 100, 100, 100, 50, 0}));
  EXPECT_EQ(sizes_for(200, 400, "cover"), (Sizes{100, 200, 100, 100, 0, 50}));
  EXPECT_EQ(sizes_for(400, 200, "contain"), (Sizes{100, 50, 100, 100, 0, 25}));
  EXPECT_EQ(sizes_for(200, 400, "contain"), (Sizes{50, 100, 100, 100, 25, 0}));
  // The same aspect as the box: every fit is the plain rescale.
  for (const std::string fit : {"fill", "inside", "outside", "cover", "contain"}) {
    EXPECT_EQ(sizes_for(300, 300, fit), (Sizes{100, 100, 100, 100, 0, 0})) << fit;
  }
}

TEST(FitPlan, OneSideKeepsTheAspectWhateverTheFit) {
  for (const std::string fit : {"fill", "inside", "outside"}) {
    EXPECT_EQ(sizes(plan_for(400, 200, {{"width", "100"}, {"fit", fit}})), (Sizes{100, 50, 100, 50, 0, 0})) << fit;
    EXPECT_EQ(sizes(plan_for(400, 200, {{"height", "100"}, {"fit", fit}})), (Sizes{200, 100, 200, 100, 0, 0}))
        << fit;
  }
}

TEST(FitPlan, GravityPlacesTheCoverWindow) {
  // Landscape: the window moves along x; portrait: along y.
  const std::vector<std::pair<std::string, std::pair<int, int>>> expected = {
      {"centre", {50, 50}},    {"north", {50, 0}},      {"northeast", {100, 0}}, {"east", {100, 50}},
      {"southeast", {100, 100}}, {"south", {50, 100}},  {"southwest", {0, 100}}, {"west", {0, 50}},
      {"northwest", {0, 0}},   {"smart", {50, 50}}};  // smart: centre until resolve_smart_crop()
  for (const auto& [gravity, xy] : expected) {
    const Sizes land = sizes_for(400, 200, "cover", gravity);
    const Sizes port = sizes_for(200, 400, "cover", gravity);
    EXPECT_EQ(land.x, xy.first) << gravity;
    EXPECT_EQ(land.y, 0) << gravity;
    EXPECT_EQ(port.x, 0) << gravity;
    EXPECT_EQ(port.y, xy.second) << gravity;
  }
}

TEST(FitPlan, GravityPlacesTheContainedImage) {
  EXPECT_EQ(sizes_for(400, 200, "contain", "north").y, 0);
  EXPECT_EQ(sizes_for(400, 200, "contain", "south").y, 50);
  EXPECT_EQ(sizes_for(400, 200, "contain", "southwest").y, 50);
  EXPECT_EQ(sizes_for(200, 400, "contain", "east").x, 50);
  EXPECT_EQ(sizes_for(200, 400, "contain", "west").x, 0);
}

TEST(FitPlan, CoverWindowStaysInWholePixels) {
  // 768x1024 into 100x100: scale 100/768, 133.33 high, 134 rows (the last
  // partly covered); a south window ends at row 133.
  const RescalePlan p = plan_for(768, 1024, {{"width", "100"}, {"height", "100"}, {"fit", "cover"},
                                             {"gravity", "south"}});
  EXPECT_EQ(p.out_height, 134);
  EXPECT_EQ(p.cover_height, 133);
  EXPECT_EQ(p.offset_y, 33);
}

TEST(FitPlan, DprMultipliesTheSides) {
  EXPECT_EQ(sizes(plan_for(400, 200, {{"width", "100"}, {"dpr", "2"}})), (Sizes{200, 100, 200, 100, 0, 0}));
  EXPECT_EQ(sizes(plan_for(400, 200, {{"width", "100"}, {"height", "100"}, {"fit", "cover"}, {"dpr", "2"}})),
            (Sizes{400, 200, 200, 200, 100, 0}));
  EXPECT_EQ(plan_for(1000, 1000, {{"width", "333"}, {"dpr", "1.5"}}).out_width, 500);  // 499.5 rounded
  EXPECT_EQ(plan_for(1000, 1000, {{"width", "100"}, {"dpr", "4"}}).out_width, 400);
  // Without width or height there is nothing to multiply.
  auto req = take({{"dpr", "3"}});
  ASSERT_TRUE(req.ok());
  EXPECT_FALSE(req->active());
}

TEST(FitPlan, LimitsCountTheSidesTimesDpr) {
  constexpr uint64_t kLimit = 250'000;  // 500 x 500
  EXPECT_EQ(plan_for(1000, 1000, {{"width", "500"}}, kLimit).out_width, 500);
  auto req = take({{"width", "500"}, {"dpr", "2"}});
  ASSERT_TRUE(req.ok());
  auto refused = plan_rescale(1000, 1000, *req, kLimit);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind(), ErrorKind::kTooLarge);
  // The largest side times 4 does not overflow anything: refused in floating point.
  auto huge = take({{"width", std::to_string(kMaxRequestedSide)}, {"dpr", "4"}});
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(plan_rescale(10, 10, *huge, kNoLimit).error().kind(), ErrorKind::kTooLarge);
  // Contain's box counts too, not only the scaled image (here 1 x 500 of 500 x 500).
  auto tall = take({{"width", "500"}, {"height", "500"}, {"fit", "contain"}});
  ASSERT_TRUE(tall.ok());
  EXPECT_EQ(plan_rescale(1, 1000, *tall, 1000).error().kind(), ErrorKind::kTooLarge);
}

// One opaque grey 4x2 image, premultiplied linear as rescale() makes them.
Image grey(int w, int h, double v) {
  const vips::VImage px = (vips::VImage::black(w, h, vips::VImage::option()->set("bands", 4)) +
                           std::vector<double>{v, v, v, 1.0})
                              .cast(VIPS_FORMAT_FLOAT);
  return Image{px, fmt::kRaGaBaAFloat, 0, 0};
}

TEST(FitToBox, ContainPadsAroundTheImage) {
  const RescalePlan p = plan_for(8, 4, {{"width", "8"}, {"height", "8"}, {"fit", "contain"}, {"gravity", "north"}});
  ASSERT_EQ(sizes(p), (Sizes{8, 4, 8, 8, 0, 0}));
  auto png_pad = fit_to_box(grey(8, 4, 0.5), p, pad_colour(Color{0, 0, 0, 0}, true));
  ASSERT_TRUE(png_pad.ok());
  ASSERT_EQ(png_pad->width(), 8);
  ASSERT_EQ(png_pad->height(), 8);
  EXPECT_EQ(png_pad->pixels.getpoint(3, 2), (std::vector<double>{0.5, 0.5, 0.5, 1.0}));  // the image
  EXPECT_EQ(png_pad->pixels.getpoint(3, 6), (std::vector<double>{0, 0, 0, 0}));          // transparent pad
  // JPEG: the default pad is white; a half-transparent red is red over white.
  auto jpeg_pad = fit_to_box(grey(8, 4, 0.5), p, pad_colour(Color{0, 0, 0, 0}, false));
  ASSERT_TRUE(jpeg_pad.ok());
  EXPECT_EQ(jpeg_pad->pixels.getpoint(3, 6), (std::vector<double>{1, 1, 1, 1}));
  const Color pink = pad_colour(Color{1, 0, 0, 0.5}, false);
  EXPECT_EQ(pink, (Color{1, 0.5, 0.5, 1}));
  auto red = fit_to_box(grey(8, 4, 0.5), p, Color{1, 0, 0, 1});
  ASSERT_TRUE(red.ok());
  EXPECT_EQ(red->pixels.getpoint(0, 7), (std::vector<double>{1, 0, 0, 1}));
}

TEST(FitToBox, CoverCutsTheWindow) {
  // Columns 0..7 with values x / 10: the east window of 4 starts at 4.
  const vips::VImage ramp = vips::VImage::xyz(8, 4).extract_band(0).cast(VIPS_FORMAT_FLOAT) / 10.0;
  const Image img{ramp.bandjoin({ramp, ramp, vips::VImage::black(8, 4) + 1.0}).cast(VIPS_FORMAT_FLOAT),
                  fmt::kRaGaBaAFloat, 0, 0};
  const RescalePlan p = plan_for(8, 4, {{"width", "4"}, {"height", "4"}, {"fit", "cover"}, {"gravity", "east"}});
  auto out = fit_to_box(img, p, Color{});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->width(), 4);
  EXPECT_NEAR(out->pixels.getpoint(0, 0)[0], 0.4, 1e-6);
  // A scaled image that is not the plan's size is an error, not a crash.
  EXPECT_FALSE(fit_to_box(grey(3, 3, 0.1), p, Color{}).ok());
}

TEST(FitToBox, KeepsAlphaForEveryTypeButJpeg) {
  EXPECT_FALSE(keeps_alpha("jpg"));
  EXPECT_FALSE(keeps_alpha("jpeg"));
  for (const std::string t : {"png", "webp", "gif", "avif", "jxl"}) EXPECT_TRUE(keeps_alpha(t)) << t;
}

// A large JPEG (4320 x 3000) cut to 200 x 200: the plan scales to 288 x 200,
// so it is decoded at 1/8 (libjpeg's DCT scaling). The runtime's result is the
// pipeline from the 1/8 decode, pixel for pixel, and not the full decode's.
TEST(FitShrinkOnLoad, CoverOfALargeJpegDecodesShrunk) {
  void* buf = nullptr;
  size_t len = 0;
  vips::VImage::new_from_file(test::example("mountains.png").c_str())
      .resize(3.0)
      .write_to_buffer(".jpg", &buf, &len);
  const std::string jpeg(static_cast<char*>(buf), len);
  g_free(buf);
  const request::Params params = {{"width", "200"}, {"height", "200"}, {"fit", "cover"}, {"gravity", "west"}};
  const RescalePlan plan = plan_for(4320, 3000, params);
  ASSERT_EQ(shrink_on_load_factor(ImageType::kJpeg, 4320, 3000, plan), 8);

  auto g = graph::parse_fbp_graph("INPORT=n.INPUT:INPUT\nOUTPORT=n.OUTPUT:OUTPUT\nn(gegl/nop)\n", "n.fbp");
  ASSERT_TRUE(g.ok());
  auto exe = make_imgflo_runtime(builtin_registry())->compile(*g);
  ASSERT_TRUE(exe.ok());
  RunRequest req;
  req.out_type = "png";
  req.input = jpeg;
  req.params = params;
  auto served = (*exe)->run(req);
  ASSERT_TRUE(served.ok()) << served.error().message();

  auto by_hand = [&](int shrink) {
    auto img = decode(jpeg, {{}, shrink, {}});
    EXPECT_TRUE(img.ok());
    auto fitted = fit_to_box(rescale(*img, plan), plan, Color{});
    EXPECT_TRUE(fitted.ok());
    auto png = encode(*fitted, OutputType::kPng, {});
    EXPECT_TRUE(png.ok());
    return test::decode_pixels(*png);
  };
  const test::Pixels out = test::decode_pixels(served->bytes);
  ASSERT_EQ(out.width, 200);
  ASSERT_EQ(out.height, 200);
  EXPECT_TRUE(out.data == by_hand(8).data);
  EXPECT_FALSE(out.data == by_hand(1).data);
}

TEST(FitCatalogue, ImgfloGraphsListTheFitParametersTyped) {
  std::map<std::string, nlohmann::ordered_json> by_name;
  for (const auto& p : rescale_parameters()) by_name[p.name] = p.metadata;
  ASSERT_EQ(by_name.size(), 6u);
  EXPECT_EQ(by_name["fit"]["type"], "enum");
  EXPECT_EQ(by_name["fit"]["values"], nlohmann::ordered_json(fit_names()));
  EXPECT_EQ(by_name["gravity"]["values"].size(), 10u);
  EXPECT_EQ(by_name["gravity"]["default"], "centre");
  EXPECT_EQ(by_name["background"]["type"], "color");
  EXPECT_EQ(by_name["dpr"]["type"], "number");
  EXPECT_EQ(by_name["dpr"]["maximum"], 4.0);
  EXPECT_EQ(side_parameters().size(), 2u);
}

}  // namespace
}  // namespace imgflo::runtime

namespace imgflo::request {
namespace {

// The original's 422 rule sees the sides times dpr (a dpr the runtime will
// refuse is left to it: its 400 is the clearer answer).
TEST(FitEdge, DprCountsInThe422Rule) {
  auto size_ok = [](const std::string& query) {
    auto r = parse_graph_request("/graph/passthrough?input=x&" + query);
    EXPECT_TRUE(r.ok());
    return check_requested_size(*r, 50).ok();
  };
  EXPECT_TRUE(size_ok("width=5000&height=5000"));
  EXPECT_FALSE(size_ok("width=5000&height=5000&dpr=2"));
  EXPECT_TRUE(size_ok("width=5000&height=5000&dpr=1"));
  EXPECT_TRUE(size_ok("width=5000"));                // free height counts as sqrt(limit) - 1
  EXPECT_FALSE(size_ok("width=5000&dpr=2"));
  EXPECT_TRUE(size_ok("width=5000&height=5000&dpr=9"));  // refused by the runtime instead
}

}  // namespace
}  // namespace imgflo::request

namespace imgflo::runtime {
namespace {

// The smart window is the one vips_smartcrop picks on the same pixels, and a
// raised stop ends the analysis with its error.
TEST(FitSmart, WindowIsLibvipsAttentionAndStops) {
  auto img = decode(test::read_file(test::example("mountains.png")), {});
  ASSERT_TRUE(img.ok());
  const request::Params smart = {{"width", "150"}, {"height", "300"}, {"fit", "cover"}, {"gravity", "smart"}};
  RescalePlan plan = plan_for(1440, 1000, smart);
  const Image scaled = rescale(*img, plan);
  ASSERT_TRUE(needs_smart_crop(plan));
  ASSERT_TRUE(resolve_smart_crop(scaled, plan, {}).ok());
  const vips::VImage u8 = convert(Image{scaled.pixels.extract_area(0, 0, plan.cover_width, plan.cover_height),
                                        scaled.format, 0, 0},
                                  fmt::kRpGpBpU8)
                              .pixels.copy_memory();
  const vips::VImage window = u8.smartcrop(150, 300);
  EXPECT_EQ(plan.offset_x, -window.xoffset());
  EXPECT_EQ(plan.offset_y, 0);
  EXPECT_NE(plan.offset_x, (plan.cover_width - 150) / 2);  // not simply the centre here

  Stop stop;
  stop.token.cancel();
  RescalePlan stopped = plan_for(1440, 1000, smart);
  EXPECT_FALSE(resolve_smart_crop(scaled, stopped, stop).ok());
}

}  // namespace
}  // namespace imgflo::runtime
