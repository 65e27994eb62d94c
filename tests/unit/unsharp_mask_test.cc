// gegl/unsharp-mask against Debian's GEGL 0.4.42 (gegl:unsharp-mask, the same
// meta-op: blur, subtract, optional threshold mask, multiply, add).
//
// Tolerance as gaussian_blur_test.cc (the blur inside is the same code): the
// two sides differ by float rounding and the 16-bit output. An error in the
// working format (sharpening sRGB-encoded values instead of linear ones),
// the sign, the alpha or the threshold mask costs several dE along every edge.
#include "op_test_util.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace imgflo::test {
namespace {

constexpr double kTolerance = 0.25;

const char* kSharpenGraph = R"(
INPORT=usm.INPUT:INPUT
INPORT=usm.STD-DEV:STDDEV
INPORT=usm.SCALE:SCALE
INPORT=usm.THRESHOLD:THRESHOLD
OUTPORT=usm.OUTPUT:OUTPUT
'0' -> THRESHOLD usm(gegl/unsharp-mask)
)";

struct SharpenCase {
  std::string name;
  const std::filesystem::path& (*input)();
  double std_dev, scale, threshold;
};

const std::filesystem::path& opaque() { return test_inputs().opaque; }
const std::filesystem::path& alpha() { return test_inputs().alpha; }
const std::filesystem::path& grey() { return test_inputs().grey; }

void PrintTo(const SharpenCase& c, std::ostream* os) { *os << c.name; }

class UnsharpMaskVsGegl : public testing::TestWithParam<SharpenCase> {};

TEST_P(UnsharpMaskVsGegl, MatchesGegl) {
  const SharpenCase& c = GetParam();
  const std::string sd = std::to_string(c.std_dev), sc = std::to_string(c.scale),
                    th = std::to_string(c.threshold);
  const std::string chain = "gegl:unsharp-mask std-dev=" + sd + " scale=" + sc + " threshold=" + th;
  const request::Params params = {{"stddev", sd}, {"scale", sc}, {"threshold", th}};
  const Comparison cmp = compare16(kSharpenGraph, c.input(), chain, scratch_dir("unsharp-" + c.name), params);
  std::printf("[ unsharp-mask %s ] %s\n", c.name.c_str(), cmp.describe().c_str());
  EXPECT_TRUE(cmp.passes(kTolerance)) << cmp.describe();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, UnsharpMaskVsGegl,
    testing::Values(SharpenCase{"opaque_defaults", opaque, 3.0, 0.5, 0.0},
                    SharpenCase{"opaque_fine", opaque, 0.7, 1.5, 0.0},
                    SharpenCase{"opaque_strong", opaque, 2.0, 4.0, 0.0},
                    SharpenCase{"opaque_threshold", opaque, 1.5, 1.0, 0.1},
                    SharpenCase{"alpha_s2", alpha, 2.0, 1.0, 0.0},
                    SharpenCase{"alpha_threshold", alpha, 2.0, 1.0, 0.05},
                    SharpenCase{"grey_s1", grey, 1.0, 0.8, 0.0}, SharpenCase{"grey_threshold", grey, 3.0, 2.0, 0.2}),
    [](const testing::TestParamInfo<SharpenCase>& info) { return info.param.name; });

// std-dev 0 or scale 0: nothing to add, the input comes back (in linear float).
TEST(UnsharpMask, NothingToAddIsTheInput) {
  for (const request::Params& params : {request::Params{{"stddev", "0"}, {"scale", "2"}},
                                        request::Params{{"stddev", "2"}, {"scale", "0"}}}) {
    const Comparison cmp = compare_visible(encode_png16(run_graph_image(kSharpenGraph, test_inputs().opaque, params)),
                                           read_file(test_inputs().opaque));
    EXPECT_TRUE(cmp.passes(0.1)) << cmp.describe();
  }
}

// The threshold leaves small differences alone: the masked result is neither
// the input nor the unmasked one.
TEST(UnsharpMask, TheThresholdMasksSmallDifferences) {
  auto run = [](const std::string& threshold) {
    return encode_png16(run_graph_image(kSharpenGraph, test_inputs().opaque,
                                        {{"stddev", "1.5"}, {"scale", "1"}, {"threshold", threshold}}));
  };
  const std::string masked = run("0.2");
  EXPECT_GT(compare_images(masked, run("0")).wrong_pixels, 100);
  EXPECT_GT(compare_images(masked, read_file(test_inputs().opaque)).wrong_pixels, 100);
}

}  // namespace
}  // namespace imgflo::test
