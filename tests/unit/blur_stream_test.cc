// The streamed gaussian blur (runtime/ops/blur_stream.h) against the
// whole-image passes it replaces (blur_rows + blur_columns, the op's only
// path before), on photo content at an odd size, strips read top to bottom
// (the causal pass carried from strip to strip) and bottom to top (every
// strip on its own, with overlap above and below). Measured per case: the
// largest float difference and the largest difference after an 8-bit sRGB
// encoding of each channel; both are printed. A one-step 8-bit difference is
// allowed: a value right at a rounding boundary may round either way.
#include "runtime/ops/blur_stream.h"
#include "runtime/ops/float_image.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace imgflo::runtime::ops::blur {
namespace {

constexpr int kWidth = 97, kHeight = 3001;  // tall enough for sigma 50's strips
// The strips' recursions start within 2^-20 (~1e-6) of the whole column's
// state (blur_stream.h); measured: 6e-8, one float step.
constexpr double kFloatTolerance = 2e-6;

// mountains.png cropped to 97 wide, stacked to 3001 rows, in linear light:
// RGB, Y, or RGBA premultiplied with a horizontal alpha ramp.
vips::VImage photo(int bands) {
  const vips::VImage src = vips::VImage::new_from_file(test::example("mountains.png").c_str());
  vips::VImage lin = src.extract_area(17, 0, kWidth, 1000)
                         .replicate(1, 4)
                         .extract_area(0, 0, kWidth, kHeight)
                         .colourspace(VIPS_INTERPRETATION_scRGB);
  if (bands == 1) return lin[0].copy_memory();
  if (bands == 4) {
    const vips::VImage alpha = (vips::VImage::xyz(kWidth, kHeight)[0] / double(kWidth - 1)).cast(VIPS_FORMAT_FLOAT);
    lin = (lin * alpha).bandjoin(alpha).cast(VIPS_FORMAT_FLOAT);
  }
  return lin.copy_memory();
}

std::vector<float> pixels_of(const FloatPlane& p) {
  std::vector<float> v;
  for (int y = 0; y < p.height; ++y) v.insert(v.end(), p.row(y), p.row(y) + size_t(p.width) * p.channels);
  return v;
}

// Today's whole-image result.
std::vector<float> whole(const vips::VImage& src, const Axis& x, const Axis& y, const Edges& e) {
  auto out = new_float_image(src.width(), src.height(), src.bands(), false);
  EXPECT_TRUE(out.ok());
  EXPECT_FALSE(blur_rows(region_rows(src), src.width(), src.height(), out->plane, 0, x, e, Stop{}));
  EXPECT_FALSE(blur_columns(out->plane, y, e, Stop{}));
  return pixels_of(out->plane);
}

// The streamed result, read in strips of `rows` rows from the top or from
// the bottom.
std::vector<float> streamed(const vips::VImage& img, int rows, bool bottom_up) {
  std::vector<float> v(size_t(img.width()) * img.height() * img.bands());
  const size_t row_floats = size_t(img.width()) * img.bands();
  const int strips = (img.height() + rows - 1) / rows;
  for (int i = 0; i < strips; ++i) {
    const int top = (bottom_up ? strips - 1 - i : i) * rows, n = std::min(rows, img.height() - top);
    size_t len = 0;
    void* mem = img.extract_area(0, top, img.width(), n).write_to_memory(&len);
    std::copy_n(static_cast<const float*>(mem), size_t(n) * row_floats, v.begin() + top * row_floats);
    g_free(mem);
  }
  return v;
}

int srgb8(float v, bool alpha) {
  const double c = std::clamp(double(v), 0.0, 1.0);
  const double e = alpha ? c : (c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1 / 2.4) - 0.055);
  return static_cast<int>(std::lround(255 * e));
}

struct Diff {
  double max_float = 0;
  int max_8bit = 0;
};

Diff compare(const std::vector<float>& a, const std::vector<float>& b, int bands) {
  Diff d;
  for (size_t i = 0; i < a.size(); ++i) {
    const bool alpha = bands == 4 && i % 4 == 3;
    d.max_float = std::max(d.max_float, double(std::abs(a[i] - b[i])));
    d.max_8bit = std::max(d.max_8bit, std::abs(srgb8(a[i], alpha) - srgb8(b[i], alpha)));
  }
  return d;
}

struct StreamCase {
  std::string name;
  float sx, sy;
  Filter filter = Filter::kAuto;
  Abyss abyss = Abyss::kClamp;
  int bands = 3;
};
void PrintTo(const StreamCase& c, std::ostream* os) { *os << c.name; }

class BlurStreamVsWhole : public testing::TestWithParam<StreamCase> {};

TEST_P(BlurStreamVsWhole, WithinTolerance) {
  const StreamCase& c = GetParam();
  const vips::VImage src = photo(c.bands);
  const Axis x{c.sx, c.filter, true}, y{c.sy, c.filter, true};
  const Edges edges = make_edges(c.abyss, c.bands, c.bands == 4);
  const auto plan = plan_strips(x, y, kHeight);
  ASSERT_TRUE(plan.has_value()) << "this case must stream";
  auto img = blur_streamed(src, x, y, edges, *plan, Stop{});
  ASSERT_TRUE(img.ok()) << img.error().message();

  const std::vector<float> reference = whole(src, x, y, edges);
  const Diff down = compare(streamed(*img, 16, false), reference, c.bands);
  const Diff up = compare(streamed(*img, plan->strip, true), reference, c.bands);
  std::printf("[ blur stream %s ] strip %d overlap %d; top-down: max %.3g (8-bit %d); bottom-up: max %.3g (8-bit %d)\n",
              c.name.c_str(), plan->strip, plan->overlap, down.max_float, down.max_8bit, up.max_float, up.max_8bit);
  EXPECT_LE(down.max_float, kFloatTolerance);
  EXPECT_LE(up.max_float, kFloatTolerance);
  EXPECT_LE(down.max_8bit, 1);
  EXPECT_LE(up.max_8bit, 1);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BlurStreamVsWhole,
    testing::Values(StreamCase{"s1", 1, 1}, StreamCase{"s1_5_grey", 1.5, 1.5, Filter::kAuto, Abyss::kClamp, 1},
                    StreamCase{"s3_black", 3, 3, Filter::kAuto, Abyss::kBlack},
                    StreamCase{"s10", 10, 10}, StreamCase{"s10_alpha_none", 10, 10, Filter::kAuto, Abyss::kNone, 4},
                    StreamCase{"s25_white", 25, 25, Filter::kAuto, Abyss::kWhite},
                    StreamCase{"s50", 50, 50}, StreamCase{"s50_alpha", 50, 50, Filter::kAuto, Abyss::kClamp, 4},
                    StreamCase{"iir_s0_5", 0.5, 0.5, Filter::kIir},
                    StreamCase{"iir_aniso_alpha", 2, 7, Filter::kIir, Abyss::kBlack, 4},
                    StreamCase{"fir_x_iir_y", 0.6, 12}),
    [](const testing::TestParamInfo<StreamCase>& info) { return info.param.name; });

TEST(BlurStream, WholeImageWhenStripsDoNotPay) {
  const Axis iir{10, Filter::kAuto, true};
  EXPECT_FALSE(plan_strips(iir, Axis{0.8f, Filter::kAuto, true}, 5000));  // vertical FIR
  EXPECT_FALSE(plan_strips(iir, Axis{10, Filter::kFir, true}, 5000));
  EXPECT_FALSE(plan_strips(Axis{10, Filter::kAuto, false}, iir, 5000));  // the extent grows
  EXPECT_FALSE(plan_strips(iir, Axis{1500, Filter::kAuto, true}, 5000));  // the window would be the image
  EXPECT_FALSE(plan_strips(iir, iir, 300));
  const auto plan = plan_strips(iir, iir, 5000);
  ASSERT_TRUE(plan);
  EXPECT_GE(plan->strip, plan->overlap);
}

TEST(BlurStream, SettleRowsBoundADifferentStart) {
  // Two causal recursions over the same line from states 1 apart: their
  // difference after iir_settle_rows samples is under eps.
  for (float sigma : {0.5f, 1.0f, 4.0f, 30.0f}) {
    const IirCoefficients c = iir_coefficients(sigma);
    const double eps = 1e-6;
    const int k = iir_settle_rows(c, eps, 1 << 20);
    double a[3] = {0, 0, 0}, b[3] = {1, -1, 1};
    for (int i = 0; i < k + 50; ++i) {
      const double x = std::sin(i * 0.37);
      const double va = c.b * x + c.a[0] * a[0] + c.a[1] * a[1] + c.a[2] * a[2];
      const double vb = c.b * x + c.a[0] * b[0] + c.a[1] * b[1] + c.a[2] * b[2];
      a[2] = a[1], a[1] = a[0], a[0] = va;
      b[2] = b[1], b[1] = b[0], b[0] = vb;
      if (i >= k) {
        EXPECT_LT(std::abs(va - vb), 3 * eps) << "sigma " << sigma << " row " << i;
      }
    }
  }
}

TEST(BlurStream, AStopFailsTheEvaluation) {
  const vips::VImage src = photo(3);
  const Axis axis{5, Filter::kAuto, true};
  Stop stop;
  stop.token.cancel();
  auto img = blur_streamed(src, axis, axis, make_edges(Abyss::kClamp, 3, false), *plan_strips(axis, axis, kHeight),
                           stop);
  ASSERT_TRUE(img.ok());
  size_t len = 0;
  EXPECT_THROW(img->write_to_memory(&len), vips::VError);
}

}  // namespace
}  // namespace imgflo::runtime::ops::blur
