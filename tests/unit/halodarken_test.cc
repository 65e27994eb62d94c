// gegl/edge-sobel, svg/color-dodge and the halodarken graph against Debian's
// GEGL 0.4.42.
//
// Tolerance, as for the blur (gaussian_blur_test.cc): the same formulas in
// float, compared at 16 bits; only rounding differs, so max dE76 <= 0.25.
// For halodarken, 0.4.42 would composite color-dodge in the grey model of
// its backdrop (the edge map); the oracle chain converts the edge map to
// "RGBA float" first, which is what 0.3.10 did (its svg ops always work in
// RGBA), so the same tolerance applies.
#include "op_test_util.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace imgflo::test {
namespace {

constexpr double kHalodarkenTolerance = 0.25;

const char* kSobelGraph = R"(
INPORT=edge.INPUT:INPUT
INPORT=edge.HORIZONTAL:HORIZONTAL
INPORT=edge.VERTICAL:VERTICAL
INPORT=edge.KEEP-SIGN:KEEPSIGN
OUTPORT=edge.OUTPUT:OUTPUT
'true' -> HORIZONTAL edge(gegl/edge-sobel)
)";

// The original blurred (backdrop) under the faded original (source).
const char* kDodgeGraph = R"(
INPORT=in.INPUT:INPUT
INPORT=dodge.SRGB:SRGB
OUTPORT=dodge.OUTPUT:OUTPUT
in(gegl/nop) OUTPUT -> INPUT blur(gegl/gaussian-blur) OUTPUT -> INPUT dodge(svg/color-dodge)
in OUTPUT -> INPUT fade(gegl/opacity) OUTPUT -> AUX dodge
'4' -> STD-DEV-X blur
'4' -> STD-DEV-Y blur
'0.8' -> VALUE fade
)";

void expect_close(const std::string& what, const Comparison& c) {
  std::printf("[ %s ] %s\n", what.c_str(), c.describe().c_str());
  EXPECT_TRUE(c.passes(kHalodarkenTolerance)) << what << ": " << c.describe();
}

TEST(EdgeSobel, BothDirectionsMatchGegl) {
  const auto dir = scratch_dir("edge-sobel-both");
  const std::string chain = "gegl:edge-sobel keep-sign=false";
  expect_close("sobel opaque", compare16(kSobelGraph, test_inputs().opaque, chain, dir, {{"keepsign", "false"}}));
  expect_close("sobel alpha", compare16(kSobelGraph, test_inputs().alpha, chain, dir, {{"keepsign", "false"}}));
}

TEST(EdgeSobel, OneDirectionMatchesGegl) {
  const auto dir = scratch_dir("edge-sobel-one");
  expect_close("sobel horizontal signed",
               compare16(kSobelGraph, test_inputs().opaque, "gegl:edge-sobel vertical=false keep-sign=true", dir,
                         {{"vertical", "false"}, {"keepsign", "true"}}));
  expect_close("sobel vertical abs",
               compare16(kSobelGraph, test_inputs().alpha, "gegl:edge-sobel horizontal=false keep-sign=false", dir,
                         {{"horizontal", "false"}, {"keepsign", "false"}}));
}

TEST(EdgeSobel, GrowsOnePixelAndKeepsAlphaModel) {
  const runtime::Image opaque = run_graph_image(kSobelGraph, test_inputs().opaque);
  EXPECT_EQ(opaque.extent(), (runtime::Rect{-1, -1, 152, 152}));
  EXPECT_EQ(opaque.format, runtime::fmt::kRGBFloat);
  EXPECT_EQ(run_graph_image(kSobelGraph, test_inputs().alpha).format, runtime::fmt::kRGBAFloat);
}

TEST(EdgeSobel, HandComputedRing) {
  // A 5x5 black RGB image with one white pixel at (2, 2): the output pixel at
  // (x, y) is centred on input (x - 1, y - 1), so the ring sits around (3, 3).
  const auto dir = scratch_dir("edge-sobel-dot");
  std::vector<unsigned char> px(5 * 5 * 3, 0);
  for (int c = 0; c < 3; ++c) px[(2 * 5 + 2) * 3 + c] = 255;
  vips::VImage::new_from_memory(px.data(), px.size(), 5, 5, 3, VIPS_FORMAT_UCHAR).pngsave((dir / "dot.png").c_str());
  const runtime::Image out = run_graph_image(kSobelGraph, dir / "dot.png", {{"keepsign", "false"}});
  const vips::VImage v = out.pixels;  // float, origin (-1, -1): index = coordinate + 1
  auto at = [&](int x, int y) { return v.getpoint(x + 1, y + 1)[0]; };
  EXPECT_NEAR(at(3, 3), 0.0, 1e-6);                              // the centre: no gradient
  EXPECT_NEAR(at(4, 3), 2.0 / std::sqrt(32.0), 1e-6);            // beside: |Gx| = 2
  EXPECT_NEAR(at(2, 2), std::sqrt(2.0) / std::sqrt(32.0), 1e-6);  // corner: Gx = Gy = 1
  EXPECT_NEAR(at(1, 3), 0.0, 1e-6);                              // two away: outside the kernel
}

TEST(ColorDodge, MatchesGeglInRgba) {
  const auto dir = scratch_dir("color-dodge");
  const std::string chain = "id=orig gegl:gaussian-blur std-dev-x=4 std-dev-y=4 svg:color-dodge srgb=";
  const std::string aux = " aux=[ ref=orig gegl:opacity value=0.8 ]";
  for (const char* srgb : {"true", "false"}) {
    expect_close(std::string("dodge opaque srgb=") + srgb,
                 compare16(kDodgeGraph, test_inputs().opaque, chain + srgb + aux, dir, {{"srgb", srgb}}));
    expect_close(std::string("dodge alpha srgb=") + srgb,
                 compare16(kDodgeGraph, test_inputs().alpha, chain + srgb + aux, dir, {{"srgb", srgb}}));
  }
}

class HalodarkenVsGegl : public testing::TestWithParam<std::string> {};

TEST_P(HalodarkenVsGegl, MatchesGeglChainAndGrowsByOne) {
  const std::string name = GetParam();
  const std::filesystem::path input = name == "opaque" ? test_inputs().opaque
                                      : name == "large"  ? test_inputs().large
                                                         : test_inputs().alpha;
  const std::string graph = read_file(graph_dir() / "halodarken.json");
  const runtime::Image ours = run_graph_image(graph, input);
  const vips::VImage in = vips::VImage::new_from_file(input.c_str());
  EXPECT_EQ(ours.extent(), (runtime::Rect{-1, -1, in.width() + 2, in.height() + 2}));
  EXPECT_EQ(ours.format.model, runtime::Model::kRGBA);  // 0.3.10: colour, not grey
  const std::string chain =
      "id=orig gegl:gaussian-blur std-dev-x=10 std-dev-y=10 gegl:edge-sobel keep-sign=false gegl:opacity value=0.7 "
      "gegl:gray gegl:convert-format format=\"RGBA float\" svg:color-dodge srgb=true aux=[ ref=orig ]";
  const auto dir = scratch_dir("halodarken-" + name);
  expect_close("halodarken " + name, compare16(graph, input, chain, dir));
}

INSTANTIATE_TEST_SUITE_P(Inputs, HalodarkenVsGegl, testing::Values("opaque", "large", "alpha"));

}  // namespace
}  // namespace imgflo::test
