// gegl/motion-blur-linear, gegl/brightness-contrast and svg/screen against
// Debian's GEGL 0.4.42 (same maths as 0.3.10 for these ops: motion blur and
// brightness-contrast have fixed working formats, and the screen inputs here
// are RGB, so 0.4.42 also composites in "RaGaBaA float"), plus the motionblur
// graph against the equivalent GEGL chain.
//
// Tolerance: both sides compute in float and are compared as 16-bit PNGs;
// the only expected differences are float round-off (different summation
// order) and our linear-to-16-bit encoding, worth < 0.05 dE. 0.2 leaves room
// for that while failing any real error (a kernel off by one pixel or a
// wrong weight gives dE > 1 on gridbear's hard edges).
#include "runtime/image.h"
#include "support/image_compare.h"
#include "support/op_harness.h"
#include "support/oracle.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <iostream>

namespace imgflo::test {
namespace {

constexpr double kTolerance = 0.2;

struct BlurCase {
  const char* length;
  const char* angle;
  int grow_x, grow_y;  // hand-computed ceil(L/2 |cos a|), ceil(L/2 |sin a|)
};

void PrintTo(const BlurCase& c, std::ostream* os) { *os << "L" << c.length << "_a" << c.angle; }

Comparison compare_with_gegl(const runtime::Image& ours, const std::string& input, const std::string& chain,
                             const std::string& label) {
  const std::string theirs = run_gegl(input, chain, scratch_dir("motion-" + label));
  const Comparison cmp = compare_images(encode_png16(ours), theirs);
  std::cout << "[ measured ] " << label << ": " << cmp.describe() << "\n";
  return cmp;
}

class MotionBlurLinear : public testing::TestWithParam<BlurCase> {};

TEST_P(MotionBlurLinear, MatchesGegl) {
  const BlurCase& c = GetParam();
  const auto bear = example("gridbear.jpg");
  const runtime::Image out =
      run_op("gegl/motion-blur-linear", {{"length", c.length}, {"angle", c.angle}}, decode_file(bear));
  EXPECT_EQ(out.width(), 150 + 2 * c.grow_x);
  EXPECT_EQ(out.height(), 150 + 2 * c.grow_y);
  EXPECT_EQ(out.x, -c.grow_x);
  EXPECT_EQ(out.y, -c.grow_y);
  const std::string chain =
      std::string("gegl:motion-blur-linear length=") + c.length + " angle=" + c.angle;
  std::ostringstream label;
  PrintTo(c, &label);
  const Comparison cmp = compare_with_gegl(out, bear.string(), chain, "blur-" + label.str());
  EXPECT_TRUE(cmp.passes(kTolerance)) << cmp.describe();
}

INSTANTIATE_TEST_SUITE_P(Gegl, MotionBlurLinear,
                         testing::Values(BlurCase{"0", "0", 0, 0}, BlurCase{"10", "0", 5, 0},
                                         BlurCase{"25", "30", 11, 7}, BlurCase{"100", "90", 1, 50},
                                         BlurCase{"15.5", "-45", 6, 6}, BlurCase{"40", "180", 20, 1}),
                         [](const auto& info) {
                           std::ostringstream s;
                           PrintTo(info.param, &s);
                           std::string n = s.str();
                           for (char& ch : n) ch = (ch == '-' || ch == '.') ? '_' : ch;
                           return n;
                         });

TEST(BrightnessContrast, MatchesGegl) {
  const auto bear = example("gridbear.jpg");
  for (const auto& [contrast, brightness] : {std::pair{"1.8", "0.25"}, std::pair{"-0.7", "-0.1"}}) {
    const runtime::Image out =
        run_op("gegl/brightness-contrast", {{"contrast", contrast}, {"brightness", brightness}}, decode_file(bear));
    EXPECT_EQ(out.format, runtime::fmt::kRGBAFloat);
    const std::string chain =
        std::string("gegl:brightness-contrast contrast=") + contrast + " brightness=" + brightness;
    const Comparison cmp = compare_with_gegl(out, bear.string(), chain, std::string("bc-") + contrast);
    EXPECT_TRUE(cmp.passes(kTolerance)) << cmp.describe();
  }
}

TEST(BrightnessContrast, HandComputedUnclampedValues) {
  // One linear RGBA pixel (0.2, 0.5, 0.9, alpha 0.4): c' = (c - 0.5) * 2 + 0.3 + 0.5.
  const vips::VImage px = vips::VImage::black(1, 1).cast(VIPS_FORMAT_FLOAT).new_from_image({0.2, 0.5, 0.9, 0.4});
  const runtime::Image in{px, runtime::fmt::kRGBAFloat, 0, 0};
  const runtime::Image out = run_op("gegl/brightness-contrast", {{"contrast", "2"}, {"brightness", "0.3"}}, in);
  const std::vector<double> v = out.pixels.getpoint(0, 0);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_NEAR(v[0], 0.2, 1e-6);
  EXPECT_NEAR(v[1], 0.8, 1e-6);
  EXPECT_NEAR(v[2], 1.6, 1e-6);  // not clamped
  EXPECT_NEAR(v[3], 0.4, 1e-6);  // alpha kept
}

TEST(Screen, MatchesGeglWithUnionExtent) {
  const auto bear = example("gridbear.jpg"), rainbow = example("gradient_rainbow.png");
  for (const char* srgb : {"false", "true"}) {
    // Decoded per run: a PNG decodes lazily and sequentially, once.
    const runtime::Image backdrop = run_op("gegl/opacity", {{"value", "0.6"}}, decode_file(bear));
    const runtime::Image source = run_op("gegl/opacity", {{"value", "0.8"}}, decode_file(rainbow));
    const runtime::Image out = run_op("svg/screen", {{"srgb", srgb}}, backdrop, &source);
    EXPECT_EQ(out.extent(), (runtime::Rect{0, 0, 400, 150}));
    const std::string chain = std::string("gegl:opacity value=0.6 gegl:screen srgb=") + srgb +
                              " aux=[ gegl:load path=" + rainbow.string() + " gegl:opacity value=0.8 ]";
    const Comparison cmp = compare_with_gegl(out, bear.string(), chain, std::string("screen-srgb-") + srgb);
    EXPECT_TRUE(cmp.passes(kTolerance)) << cmp.describe();
  }
}

TEST(Screen, HandComputedClampToResultAlpha) {
  // Premultiplied linear pixels: backdrop (0.3, -0.2, 0.5 | 0.5), source (0.9, 0.1, 0.4 | 0.6).
  // aD = 0.6 + 0.5 - 0.3 = 0.8; c = cA + cB - cA cB = 0.93, -0.08, 0.7 -> clamped 0.8, 0, 0.7.
  auto pixel = [](std::vector<double> v) {
    return runtime::Image{vips::VImage::black(1, 1).cast(VIPS_FORMAT_FLOAT).new_from_image(v),
                          runtime::fmt::kRaGaBaAFloat, 0, 0};
  };
  const runtime::Image backdrop = pixel({0.3, -0.2, 0.5, 0.5}), source = pixel({0.9, 0.1, 0.4, 0.6});
  const std::vector<double> v = run_op("svg/screen", {}, backdrop, &source).pixels.getpoint(0, 0);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_NEAR(v[0], 0.8, 1e-6);
  EXPECT_NEAR(v[1], 0.0, 1e-6);
  EXPECT_NEAR(v[2], 0.7, 1e-6);
  EXPECT_NEAR(v[3], 0.8, 1e-6);
}

TEST(MotionblurGraph, DefaultsMatchGeglChain) {
  const auto bear = example("gridbear.jpg");
  const runtime::Image out = run_graph_file(graph_dir() / "motionblur.json", decode_file(bear), {});
  EXPECT_EQ(out.extent(), (runtime::Rect{-1, -50, 152, 250}));  // (W + 2) x (H + 100)
  const std::string chain = "gegl:motion-blur-linear length=100 angle=90 gegl:brightness-contrast contrast=1.1 "
                            "gegl:screen srgb=false aux=[ gegl:load path=" + bear.string() + " ]";
  const Comparison cmp = compare_with_gegl(out, bear.string(), chain, "graph-defaults");
  EXPECT_TRUE(cmp.passes(kTolerance)) << cmp.describe();
}

TEST(MotionblurGraph, ParametersMatchGeglChain) {
  const auto bear = example("gridbear.jpg");
  const request::Params params = {{"strength", "0.7"}, {"contrast", "1.5"}, {"brightness", "-0.2"},
                                  {"length", "30"},    {"angle", "-30"}};
  const runtime::Image out = run_graph_file(graph_dir() / "motionblur.json", decode_file(bear), params);
  const std::string chain = "gegl:motion-blur-linear length=30 angle=-30 gegl:brightness-contrast contrast=1.5 "
                            "brightness=-0.2 gegl:opacity value=0.7 gegl:screen srgb=false aux=[ gegl:load path=" +
                            bear.string() + " ]";
  const Comparison cmp = compare_with_gegl(out, bear.string(), chain, "graph-params");
  EXPECT_TRUE(cmp.passes(kTolerance)) << cmp.describe();
}

}  // namespace
}  // namespace imgflo::test
