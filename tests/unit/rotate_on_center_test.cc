// gegl/rotate-on-center and the croprotate graph against Debian's GEGL
// 0.4.42 (same matrix, extent rule and nearest sampler as 0.3.10).
//
// 0.4.42 keeps the source format when the sampler is nearest, where 0.3.10
// always worked in "RaGaBaA float"; for an opaque JPEG that would turn the
// uncovered corners black, so the GEGL chain converts to "RaGaBaA float"
// first (what 0.3.10 did), or the input already has alpha.
//
// Tolerances: nearest copies input pixels, so results must be identical up
// to the 16-bit PNG encoding (dE < 0.1, which compare_images counts as no
// difference at all). The linear sampler is GEGL's bilinear maths computed by
// libvips with its own weight rounding: 0.2 (a half-pixel shift, or
// premultiplying twice at the transparent fringe, gives dE > 5).
#include "runtime/image.h"
#include "support/image_compare.h"
#include "support/op_harness.h"
#include "support/oracle.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <iostream>

namespace imgflo::test {
namespace {

constexpr double kLinearTolerance = 0.2;
const char* const kToPremultiplied = "gegl:convert-format format='RaGaBaA float' ";

Comparison compare_with_gegl(const runtime::Image& ours, const std::filesystem::path& input,
                             const std::string& chain, const std::string& label) {
  const std::string theirs = run_gegl(input, chain, scratch_dir("rotate-" + label));
  const Comparison cmp = compare_images(encode_png16(ours), theirs);
  std::cout << "[ measured ] " << label << ": " << cmp.describe() << "\n";
  return cmp;
}

void expect_identical(const Comparison& cmp) {
  EXPECT_TRUE(cmp.same_size) << cmp.describe();
  EXPECT_EQ(cmp.wrong_pixels, 0) << cmp.describe();
}

struct SizeCase {
  const char* degrees;
  int size;  // of the 150x150 gridbear, hand-computed ceil(150 (|cos| + |sin|))
};

TEST(RotateOnCenter, NearestExtentAndPixelsMatchGegl) {
  const auto bear = example("gridbear.jpg");
  for (const SizeCase c : {SizeCase{"30", 205}, SizeCase{"45", 213}, SizeCase{"90", 150}, SizeCase{"-17.5", 189}}) {
    const runtime::Image out =
        run_op("gegl/rotate-on-center", {{"degrees", c.degrees}, {"sampler", "nearest"}}, decode_file(bear));
    EXPECT_EQ(out.extent(), (runtime::Rect{0, 0, c.size, c.size})) << c.degrees;
    EXPECT_EQ(out.format, runtime::fmt::kRaGaBaAFloat);
    const std::string chain =
        std::string(kToPremultiplied) + "gegl:rotate-on-center sampler=nearest degrees=" + c.degrees;
    expect_identical(compare_with_gegl(out, bear, chain, std::string("nearest-") + c.degrees));
  }
}

TEST(RotateOnCenter, CornersAreTransparent) {
  const runtime::Image out =
      run_op("gegl/rotate-on-center", {{"degrees", "45"}, {"sampler", "nearest"}}, decode_file(example("gridbear.jpg")));
  EXPECT_EQ(out.pixels.getpoint(0, 0), (std::vector<double>{0, 0, 0, 0}));
  EXPECT_EQ(out.pixels.getpoint(106, 106)[3], 1.0);  // the centre is covered
}

TEST(RotateOnCenter, ZeroDegreesPassesThrough) {
  const runtime::Image in = decode_file(example("gridbear.jpg"));
  const runtime::Image out = run_op("gegl/rotate-on-center", {{"degrees", "0"}}, in);
  EXPECT_EQ(out.format, in.format);  // no alpha added, as GEGL's identity shortcut
  EXPECT_EQ(out.extent(), in.extent());
}

TEST(RotateOnCenter, LinearSamplerMatchesGegl) {
  const auto bear = example("gridbear.jpg");
  for (const char* degrees : {"30", "-17.5"}) {
    const runtime::Image out =
        run_op("gegl/rotate-on-center", {{"degrees", degrees}, {"sampler", "linear"}}, decode_file(bear));
    const std::string chain = std::string("gegl:rotate-on-center sampler=linear degrees=") + degrees;
    const Comparison cmp = compare_with_gegl(out, bear, chain, std::string("linear-") + degrees);
    EXPECT_TRUE(cmp.passes(kLinearTolerance)) << cmp.describe();
  }
}

// A 150x97 R'G'B'A PNG (gridbear with a horizontal alpha ramp 255..107):
// not square, so right angles swap width and height, and with alpha, so
// GEGL 0.4.42's nearest path keeps an alpha channel without conversion.
std::filesystem::path ramp_png() {
  const auto path = scratch_dir("rotate-input") / "bear-ramp.png";
  const vips::VImage bear = vips::VImage::new_from_file(example("gridbear.jpg").c_str())
                                .extract_area(0, 20, 150, 97);
  const vips::VImage alpha = (255.0 - vips::VImage::xyz(150, 97).extract_band(0)).cast(VIPS_FORMAT_UCHAR);
  bear.bandjoin(alpha).write_to_file(path.c_str());
  return path;
}

TEST(RotateOnCenter, NonSquareExtentMatchesGegl) {
  // Hand-computed ceil(w |cos| + h |sin|) x ceil(w |sin| + h |cos|) for 150x97.
  // At 30 degrees a corner lands at y = -1.4e-14 unless the matrix is snapped
  // to integers as GEGL does; it would add a row (161 instead of 160).
  const auto input = ramp_png();
  for (const auto& [degrees, size] : {std::pair{"30", runtime::Rect{0, 0, 179, 160}},
                                      std::pair{"90", runtime::Rect{0, 0, 97, 150}},
                                      std::pair{"-17.5", runtime::Rect{0, 0, 173, 138}}}) {
    const runtime::Image out =
        run_op("gegl/rotate-on-center", {{"degrees", degrees}, {"sampler", "nearest"}}, decode_file(input));
    EXPECT_EQ(out.extent(), size) << degrees;
    const std::string chain = std::string("gegl:rotate-on-center sampler=nearest degrees=") + degrees;
    expect_identical(compare_with_gegl(out, input, chain, std::string("ramp-") + degrees));
  }
}

struct CropCase {
  const char* degrees;
  runtime::Rect crop;
};

void PrintTo(const CropCase& c, std::ostream* os) { *os << c.degrees; }

class CroprotateGraph : public testing::TestWithParam<CropCase> {};

TEST_P(CroprotateGraph, MatchesGeglChain) {
  const CropCase& c = GetParam();
  const auto input = ramp_png();
  const runtime::Rect& r = c.crop;
  const request::Params params = {{"degrees", c.degrees},
                                  {"x", std::to_string(r.x)},
                                  {"y", std::to_string(r.y)},
                                  {"cropwidth", std::to_string(r.width)},
                                  {"cropheight", std::to_string(r.height)}};
  const runtime::Image out = run_graph_file(graph_dir() / "croprotate.json", decode_file(input), params);
  EXPECT_EQ(out.extent(), r);
  const std::string chain = std::string("gegl:rotate-on-center sampler=nearest degrees=") + c.degrees +
                            " gegl:crop x=" + std::to_string(r.x) + " y=" + std::to_string(r.y) +
                            " width=" + std::to_string(r.width) + " height=" + std::to_string(r.height);
  expect_identical(compare_with_gegl(out, input, chain, std::string("croprotate-") + c.degrees));
}

INSTANTIATE_TEST_SUITE_P(
    Gegl, CroprotateGraph,
    testing::Values(CropCase{"0", {20, 15, 70, 65}}, CropCase{"90", {10, 30, 70, 65}},
                    CropCase{"180", {-5, -5, 160, 107}}, CropCase{"270", {0, 0, 97, 150}},
                    CropCase{"30", {-3, -3, 190, 170}}, CropCase{"45", {40, 20, 70, 65}},
                    CropCase{"-17.5", {0, 0, 175, 140}}),
    [](const auto& info) {
      std::string n = info.param.degrees;
      for (char& ch : n) ch = (ch == '-' || ch == '.') ? '_' : ch;
      return "deg" + n;
    });

}  // namespace
}  // namespace imgflo::test
