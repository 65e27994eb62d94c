// The watermark and sharpen graphs over real HTTP, on the embedded default
// and — registered a second time — on the distributed topology (the second
// image input travels in the broker's job message to the workers).
//
// Every result is compared with the same request's input as the service
// resizes it (the passthrough graph with the same width): the watermark
// changes its corner and nothing else; sharpen matches GEGL's unsharp-mask
// run on that resized input.
#include "e2e/topology.h"
#include "support/image_compare.h"
#include "support/oracle.h"
#include "support/paths.h"
#include "support/pixels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace imgflo::test {
namespace {

const std::string kInput = "input=files%2Fmountains.png&width=300";  // 300 x 209 (208.3 rounded up)
const std::string kMark = "watermark=files%2Fgradient_rainbow.png";    // 400 x 100, opaque
constexpr int kW = 300, kH = 209;

class WatermarkSharpenHttp : public testing::Test {
 protected:
  static void SetUpTestSuite() { topology_ = new Topology("watermark-sharpen"); }
  static void TearDownTestSuite() { delete topology_; }
  static const Topology& s() { return *topology_; }

  // GET, expecting a 301; the stored bytes.
  static std::string result(const std::string& path_and_query) {
    const HttpResult r = http_get(s().url(path_and_query));
    EXPECT_EQ(r.status, 301) << path_and_query << ": " << r.body;
    if (r.status != 301) return {};
    const HttpResult stored = http_get(s().resolve(r.header("location")));
    EXPECT_EQ(stored.status, 200);
    return stored.body;
  }
  static Pixels pixels(const std::string& path_and_query) { return decode_pixels(result(path_and_query)); }
  static const Pixels& base() {
    static const Pixels p = pixels("/graph/passthrough.png?" + kInput);
    return p;
  }
  static Topology* topology_;
};
Topology* WatermarkSharpenHttp::topology_ = nullptr;

struct Changes {
  int inside = 0, outside = 0;  // changed pixels inside / outside the rectangle
};

// Pixels whose RGB differs from the base by more than 2, inside and outside `r`.
Changes changes(const Pixels& out, const Pixels& base, int x0, int y0, int w, int h) {
  Changes c;
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      int diff = 0;
      for (int b = 0; b < 3; ++b) diff = std::max(diff, std::abs(out.at(x, y, b) - base.at(x, y, b)));
      if (diff <= 2) continue;
      const bool in = x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;
      ++(in ? c.inside : c.outside);
    }
  }
  return c;
}

TEST_F(WatermarkSharpenHttp, TheWatermarkChangesItsCornerAndNothingElse) {
  struct Case {
    std::string position;
    int x, y;  // where the 60 x 15 watermark (scale 0.2) goes with margin 10
  };
  for (const Case& c : {Case{"southeast", kW - 70, kH - 25}, Case{"northwest", 10, 10}, Case{"north", 120, 10},
                        Case{"southwest", 10, kH - 25}, Case{"centre", 120, (kH - 15) / 2}}) {
    const Pixels out = pixels("/graph/watermark.png?" + kInput + "&" + kMark + "&scale=0.2&position=" + c.position);
    ASSERT_EQ(out.width, kW);
    ASSERT_EQ(out.height, kH);
    const Changes ch = changes(out, base(), c.x, c.y, 60, 15);
    EXPECT_EQ(ch.outside, 0) << c.position;
    EXPECT_GT(ch.inside, 60 * 15 * 9 / 10) << c.position;
  }
}

TEST_F(WatermarkSharpenHttp, OpacityZeroIsTheInputAndScaleSizesTheWatermark) {
  const Pixels none = pixels("/graph/watermark.png?" + kInput + "&" + kMark + "&opacity=0");
  EXPECT_EQ(changes(none, base(), 0, 0, 0, 0).outside, 0);

  // scale 0.4: 120 x 30 in the default corner (southeast, margin 10).
  const Pixels wide = pixels("/graph/watermark.png?" + kInput + "&" + kMark + "&scale=0.4");
  const Changes ch = changes(wide, base(), kW - 130, kH - 40, 120, 30);
  EXPECT_EQ(ch.outside, 0);
  EXPECT_GT(ch.inside, 120 * 30 * 9 / 10);
}

// The key covers the watermark: another watermark is another stored result;
// the same request again is a cache hit (no new job).
TEST_F(WatermarkSharpenHttp, EachWatermarkHasItsOwnResult) {
  const std::string rainbow = "/graph/watermark.png?" + kInput + "&" + kMark + "&position=northwest";
  const std::string kitten = "/graph/watermark.png?" + kInput + "&watermark=files%2Fhappy-kitten.svg&position=northwest";
  const HttpResult a = http_get(s().url(rainbow)), b = http_get(s().url(kitten));
  ASSERT_EQ(a.status, 301) << a.body;
  ASSERT_EQ(b.status, 301) << b.body;
  EXPECT_NE(a.header("location"), b.header("location"));
  EXPECT_NE(result(rainbow), result(kitten));
  const uint64_t submitted = s().metric("imgflo_jobs_submitted_total");
  EXPECT_EQ(http_get(s().url(kitten)).header("location"), b.header("location"));
  EXPECT_EQ(s().metric("imgflo_jobs_submitted_total"), submitted);
}

// A missing, unreachable or undecodable watermark is answered like the same
// problem with the input, as JSON naming the watermark.
TEST_F(WatermarkSharpenHttp, ABadWatermarkIsAnsweredLikeABadInput) {
  const HttpResult absent = http_get(s().url("/graph/watermark.png?" + kInput));
  EXPECT_EQ(absent.status, 400) << absent.body;
  EXPECT_EQ(absent.json()["parameter"], "watermark");

  // A video is a main input (its poster frame), never a named image input.
  struct Case {
    std::string file;
    int input_status;
    int mark_status;
  };
  for (const Case& c : {Case{"nothere.png", 504, 504}, Case{"video-3dpmic.mp4", 301, 422}}) {
    const HttpResult as_input = http_get(s().url("/graph/watermark.png?input=files%2F" + c.file + "&" + kMark));
    const HttpResult as_mark =
        http_get(s().url("/graph/watermark.png?" + kInput + "&watermark=files%2F" + c.file));
    EXPECT_EQ(as_input.status, c.input_status) << as_input.body;
    EXPECT_EQ(as_mark.status, c.mark_status) << as_mark.body;
    EXPECT_EQ(as_mark.header("content-type"), "application/json");
    const auto j = as_mark.json();
    if (c.input_status == c.mark_status) {
      EXPECT_EQ(j["type"], as_input.json()["type"]);
    }
    EXPECT_TRUE(j["error"].get<std::string>().starts_with("watermark: ")) << j.dump();
    EXPECT_EQ(j["image_input"], "watermark");
  }
}

TEST_F(WatermarkSharpenHttp, BothGraphsAreListedWithTypedParameters) {
  const auto graphs = http_get(s().url("/graphs")).json()["graphs"];
  const auto& wm = graphs["watermark"]["inports"];
  EXPECT_EQ(wm["watermark"]["metadata"]["type"], "buffer");
  EXPECT_EQ(wm["position"]["metadata"]["values"].size(), 9u);
  EXPECT_EQ(wm["margin"]["metadata"]["type"], "int");
  EXPECT_EQ(wm["opacity"]["metadata"]["type"], "number");
  EXPECT_EQ(wm["width"]["metadata"]["type"], "int");  // the universal rescale applies
  const auto& sh = graphs["sharpen"]["inports"];
  for (const char* name : {"std-dev", "scale", "threshold"}) EXPECT_EQ(sh[name]["metadata"]["type"], "number") << name;
  EXPECT_EQ(sh["std-dev"]["metadata"]["default"], 1.0);
}

// Mean absolute horizontal + vertical difference between neighbours: how
// steep the edges are.
double edge_strength(const Pixels& p) {
  double sum = 0;
  for (int y = 0; y + 1 < p.height; ++y) {
    for (int x = 0; x + 1 < p.width; ++x) {
      for (int b = 0; b < 3; ++b) {
        sum += std::abs(p.at(x + 1, y, b) - p.at(x, y, b)) + std::abs(p.at(x, y + 1, b) - p.at(x, y, b));
      }
    }
  }
  return sum / (static_cast<double>(p.width - 1) * (p.height - 1) * 3);
}

// Sharpen is GEGL's unsharp-mask: on a JPEG (decoded like GEGL's jpg-load)
// it gives what `gegl` gives, up to the rounding of our 8-bit output.
TEST_F(WatermarkSharpenHttp, SharpenMatchesGegl) {
  const std::string ours = result("/graph/sharpen.png?input=files%2Fgridbear.jpg&std-dev=2&scale=1&threshold=0.05");
  const auto dir = scratch_dir("e2e-sharpen-oracle");
  const std::string gegl = run_gegl(example("gridbear.jpg"), "gegl:unsharp-mask std-dev=2 scale=1 threshold=0.05", dir);
  const Comparison cmp = compare_images(ours, gegl);
  std::printf("[ sharpen vs gegl ] %s\n", cmp.describe().c_str());
  EXPECT_TRUE(cmp.passes(1.0)) << cmp.describe();
}

// After the downscale (width=300) sharpen steepens the edges, and stays
// close to GEGL's unsharp-mask run on the 8-bit PNG of the same downscale
// (ours reads the rescale's float result, unrounded and unclipped, so strong
// edges differ by a few dE; measured: mean dE 0.61, 1.4 % of pixels over 1.5).
TEST_F(WatermarkSharpenHttp, SharpenAfterDownscalingSteepensTheEdges) {
  const std::string params = "&std-dev=1.5&scale=1.2";
  const std::string sharpened = result("/graph/sharpen.png?" + kInput + params);
  const double before = edge_strength(base()), after = edge_strength(decode_pixels(sharpened));
  std::printf("[ sharpen ] edge strength %.2f -> %.2f\n", before, after);
  EXPECT_GT(after, before * 1.5);

  const auto dir = scratch_dir("e2e-sharpen-resized");
  write_file(dir / "resized.png", result("/graph/passthrough.png?" + kInput));
  const std::string gegl = run_gegl(dir / "resized.png", "gegl:unsharp-mask std-dev=1.5 scale=1.2", dir);
  const Comparison cmp = compare_images(sharpened, gegl);
  std::printf("[ sharpen after width=300 vs gegl ] %s\n", cmp.describe().c_str());
  EXPECT_LT(cmp.mean_delta, 1.0) << cmp.describe();
  EXPECT_LT(cmp.percent_over_default(), 3.0) << cmp.describe();
}

}  // namespace
}  // namespace imgflo::test
