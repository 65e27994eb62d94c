// fit / gravity / background / dpr over real HTTP: the sizes of each fit, the
// cover window of each gravity against `vips thumbnail --crop` (smart =
// attention), contain's padding, dpr and its limits, GET /graphs, animations.
#include "e2e/e2e_util.h"
#include "support/image_compare.h"
#include "support/input_corpus.h"
#include "support/paths.h"
#include "support/pixels.h"

#include <nlohmann/json.hpp>
#include <vips/vips8>

#include <gtest/gtest.h>

namespace imgflo::test {
namespace {

class Fit : public testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess("fit", {{"IMGFLO_MAX_PIXELS", "4000000"}}); }
  static void TearDownTestSuite() { delete server_; }

  // The stored result of a GET (followed from its 301).
  static std::string get(const std::string& path) {
    const HttpResult r = http(server_->url(path), {.follow = true});
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.body;
  }
  // `vips thumbnail examples/NAME W --height H --crop CROP` as PNG bytes.
  static std::string vips_thumbnail(const std::string& name, int w, int h, const std::string& crop) {
    static const auto dir = scratch_dir("fit-thumbnail");
    const auto out = dir / (name + "-" + std::to_string(w) + "x" + std::to_string(h) + "-" + crop + ".png");
    corpus::run_tool({"vips", "thumbnail", example(name).string(), out.string(), std::to_string(w), "--height",
                      std::to_string(h), "--crop", crop});
    return read_file(out);
  }
  static ServerProcess* server_;
};
ServerProcess* Fit::server_ = nullptr;

TEST_F(Fit, SizesOfEachFit) {
  // mountains.png is 1440 x 1000; the box 300 x 300.
  struct Case {
    std::string fit;
    int width, height;
  };
  for (const Case& c : {Case{"fill", 300, 300}, Case{"inside", 300, 209}, Case{"outside", 432, 300},
                        Case{"cover", 300, 300}, Case{"contain", 300, 300}}) {
    const Pixels p = decode_pixels(get("/graph/passthrough.png?input=files/mountains.png&width=300&height=300&fit=" +
                                       c.fit));
    EXPECT_EQ(p.width, c.width) << c.fit;
    EXPECT_EQ(p.height, c.height) << c.fit;
  }
  // Without fit, both sides stretch as the original did: the same result as fill.
  EXPECT_EQ(decode_pixels(get("/graph/passthrough.png?input=files/mountains.png&width=300&height=300")).data,
            decode_pixels(get("/graph/passthrough.png?input=files/mountains.png&width=300&height=300&fit=fill")).data);
}

// The cover window of each gravity is the one `vips thumbnail --crop` cuts:
// our result is closer (mean ΔE) to the matching crop than to any other.
// mountains.png scales to 432 x 300 (the window moves along x); the portrait
// grid-toastybob.jpg to 300 x 400 (along y). libvips' low/high are the
// west/north and east/south ends; smart is libvips' attention.
TEST_F(Fit, CoverWindowOfEachGravityMatchesVipsThumbnail) {
  struct Case {
    std::string input;
    int width, height;
    std::string gravity, crop;
  };
  // The smart boxes are ones where attention is at none of the three others.
  const std::vector<Case> cases = {
      {"mountains.png", 300, 300, "centre", "centre"},      {"mountains.png", 300, 300, "west", "low"},
      {"mountains.png", 300, 300, "east", "high"},          {"mountains.png", 300, 300, "northeast", "high"},
      {"mountains.png", 150, 300, "smart", "attention"},    {"grid-toastybob.jpg", 300, 300, "centre", "centre"},
      {"grid-toastybob.jpg", 300, 300, "north", "low"},     {"grid-toastybob.jpg", 300, 300, "south", "high"},
      {"grid-toastybob.jpg", 300, 300, "southwest", "high"}, {"grid-toastybob.jpg", 300, 200, "smart", "attention"}};
  for (const Case& c : cases) {
    const std::string box = std::to_string(c.width) + "x" + std::to_string(c.height);
    const std::string ours = get("/graph/passthrough.png?input=files/" + c.input + "&width=" + std::to_string(c.width) +
                                 "&height=" + std::to_string(c.height) + "&fit=cover&gravity=" + c.gravity);
    const Comparison match = compare_images(ours, vips_thumbnail(c.input, c.width, c.height, c.crop));
    ASSERT_TRUE(match.same_size) << c.gravity << ": " << match.describe();
    EXPECT_LT(match.mean_delta, 3.0) << c.input << " " << c.gravity << ": " << match.describe();
    std::printf("[ measure  ] cover %s %s gravity=%s vs vips thumbnail --crop %s: %s\n", c.input.c_str(), box.c_str(),
                c.gravity.c_str(), c.crop.c_str(), match.describe().c_str());
    for (const std::string other : {"centre", "low", "high"}) {
      if (other == c.crop) continue;
      const Comparison wrong = compare_images(ours, vips_thumbnail(c.input, c.width, c.height, other));
      EXPECT_GT(wrong.mean_delta, match.mean_delta + 3.0) << c.input << " " << c.gravity << " vs " << other;
    }
  }
}

TEST_F(Fit, ContainPadsTransparentOrWhiteOrTheBackground) {
  // mountains.png into 300 x 300: 300 x 209 in the middle, 45/46 rows of padding.
  const std::string path = "/graph/passthrough.png?input=files/mountains.png&width=300&height=300&fit=contain";
  const Pixels png = decode_pixels(get(path));
  ASSERT_EQ(png.bands, 4);
  EXPECT_EQ(png.at(150, 10, 3), 0);    // transparent pad above
  EXPECT_EQ(png.at(150, 290, 3), 0);   // and below
  EXPECT_EQ(png.at(150, 150, 3), 255);  // the image
  const Pixels north = decode_pixels(get(path + "&gravity=north"));
  EXPECT_EQ(north.at(150, 10, 3), 255);  // the image starts at the top
  EXPECT_EQ(north.at(150, 290, 3), 0);

  const Pixels jpeg =
      decode_pixels(get("/graph/passthrough.jpg?input=files/mountains.png&width=300&height=300&fit=contain"));
  for (int b = 0; b < 3; ++b) EXPECT_GE(jpeg.at(150, 10, b), 253) << "white pad, band " << b;

  const Pixels red = decode_pixels(get(path + "&background=%23ff0000"));
  EXPECT_EQ(red.at(150, 10, 0), 255);
  EXPECT_EQ(red.at(150, 10, 1), 0);
  EXPECT_EQ(red.at(150, 10, 3), 255);
  // Over the image the pad colour does not show.
  EXPECT_EQ(red.at(150, 150, 0), png.at(150, 150, 0));
}

TEST_F(Fit, DprMultipliesTheSides) {
  const std::string base = "/graph/passthrough.png?input=files/mountains.png";
  const Pixels one = decode_pixels(get(base + "&width=150&height=150&fit=cover"));
  const Pixels two = decode_pixels(get(base + "&width=150&height=150&fit=cover&dpr=2"));
  EXPECT_EQ(one.width, 150);
  EXPECT_EQ(two.width, 300);
  EXPECT_EQ(two.height, 300);
  EXPECT_EQ(two.data, decode_pixels(get(base + "&width=300&height=300&fit=cover")).data);
}

TEST_F(Fit, BadValuesAreA400BeforeAnyWork) {
  const uint64_t submitted = metric(*server_, "imgflo_jobs_submitted_total");
  for (const std::string q : {"width=100&dpr=5", "width=100&dpr=0", "width=100&dpr=x", "width=100&fit=crop",
                              "width=100&fit=cover", "width=100&height=100&gravity=up",
                              "width=100&height=100&fit=contain&gravity=smart", "width=100&background=nocolour"}) {
    const HttpResult r = http(server_->url("/graph/passthrough.png?input=files/mountains.png&" + q));
    EXPECT_EQ(r.status, 400) << q << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json") << q;
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_TRUE(j.contains("parameter")) << q << ": " << r.body;
  }
  EXPECT_EQ(metric(*server_, "imgflo_jobs_submitted_total"), submitted);
}

TEST_F(Fit, DprCountsAgainstTheLimits) {
  const uint64_t submitted = metric(*server_, "imgflo_jobs_submitted_total");
  // The 422 rule at the edge (IMGFLO_SIZE_LIMIT, 50 MP by default): 4000 x 4000
  // passes it, times 2 does not.
  const HttpResult edge =
      http(server_->url("/graph/passthrough.png?input=files/mountains.png&width=4000&height=4000&dpr=2"));
  EXPECT_EQ(edge.status, 422) << edge.body;
  EXPECT_EQ(metric(*server_, "imgflo_jobs_submitted_total"), submitted);  // refused before queueing
  // The pixel limit of the output (IMGFLO_MAX_PIXELS=4000000 here): 1440 x 1000
  // is fine, 2880 x 2000 is not.
  EXPECT_EQ(decode_pixels(get("/graph/passthrough.png?input=files/mountains.png&width=1440")).width, 1440);
  const HttpResult big = http(server_->url("/graph/passthrough.png?input=files/mountains.png&width=1440&dpr=2"));
  EXPECT_EQ(big.status, 422) << big.body;
  EXPECT_NE(big.body.find("over the limit"), std::string::npos) << big.body;
}

TEST_F(Fit, GraphsListTheParametersTyped) {
  const auto graphs = http_get(server_->url("/graphs")).json().at("graphs");
  int imgflo = 0, canvas = 0;
  for (const auto& [name, g] : graphs.items()) {
    const auto& in = g.at("inports");
    const auto& props = g.at("properties");  // .fbp graphs carry no environment: imgflo
    const std::string type = props.contains("environment") ? props["environment"].value("type", "") : "imgflo";
    if (type == "noop") continue;  // copies its input's bytes: no parameters at all
    // imgflo graphs take them; so does placeholder (they decide its reported size).
    EXPECT_TRUE(in.contains("width") && in.contains("height")) << name;
    if (type.starts_with("noflo")) {  // canvas graphs
      ++canvas;
      EXPECT_FALSE(in.contains("fit") || in.contains("dpr") || in.contains("gravity")) << name;
      continue;
    }
    ++imgflo;
    ASSERT_TRUE(in.contains("fit") && in.contains("gravity") && in.contains("background") && in.contains("dpr"))
        << name;
    EXPECT_EQ(in["fit"]["metadata"]["type"], "enum") << name;
    EXPECT_EQ(in["fit"]["metadata"]["values"],
              nlohmann::json::array({"fill", "inside", "outside", "cover", "contain"}));
    EXPECT_EQ(in["gravity"]["metadata"]["values"].size(), 10u);
    EXPECT_EQ(in["background"]["metadata"]["type"], "color");
    EXPECT_EQ(in["dpr"]["metadata"]["type"], "number");
    EXPECT_EQ(in["dpr"]["metadata"]["minimum"], 1);
    EXPECT_EQ(in["dpr"]["metadata"]["maximum"], 4);
  }
  EXPECT_GT(imgflo, 5);
  EXPECT_GE(canvas, 2);
  // Canvas graphs do not take them (their width/height size the canvas).
  const HttpResult r = http(server_->url("/graph/canvas.png?width=100&height=100&fit=cover"));
  EXPECT_EQ(r.status, 449) << r.body;
}

TEST_F(Fit, AnimationsAreFittedFrameByFrame) {
  for (const std::string q : {"fit=cover&gravity=north", "fit=cover&gravity=smart", "fit=contain&background=red"}) {
    const std::string gif = get("/graph/passthrough.gif?input=files/time.gif&width=120&height=60&" + q);
    const auto all_pages = [] { return vips::VImage::option()->set("n", -1); };
    const vips::VImage all = vips::VImage::new_from_buffer(gif.data(), gif.size(), "", all_pages());
    const vips::VImage source = vips::VImage::new_from_file(example("time.gif").c_str(), all_pages());
    EXPECT_EQ(all.get_int("n-pages"), source.get_int("n-pages")) << q;
    EXPECT_EQ(all.width(), 120) << q;
    EXPECT_EQ(all.get_int("page-height"), 60) << q;
  }
}

}  // namespace
}  // namespace imgflo::test
