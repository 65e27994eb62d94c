// gegl/gradient-map: the LUT rules (stop advancement, odd stops, colour
// space) against hand-computed entries, and whole images through the
// gradientmap graph against values computed independently here. GEGL 0.4.42
// has no gradient-map, so there is no oracle; the reference case
// gradient_pscompat_bw100 runs in the conformance suite.
#include "runtime/ops/gradient_map.h"
#include "support/paths.h"
#include "support/pixels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace imgflo::test {
namespace {

namespace ops = runtime::ops;

constexpr double kTol = 1e-6;  // float storage of values computed in double

using Rgba = std::array<double, 4>;

// Linear-light colours (no conversion: the LUT is built from these as given).
ops::GradientStops stops_of(const std::array<Rgba, 5>& colours, const std::array<double, 5>& positions) {
  ops::GradientStops s{};
  for (int i = 0; i < 5; ++i) {
    for (int k = 0; k < 4; ++k) s[i].colour[k] = static_cast<float>(colours[i][k]);
    s[i].position = positions[i];
  }
  return s;
}

Rgba lerp(const Rgba& a, const Rgba& b, double w) {
  Rgba out{};
  for (int k = 0; k < 4; ++k) out[k] = a[k] + w * (b[k] - a[k]);
  return out;
}

void expect_entry(const ops::GradientLut& lut, int i, const Rgba& want, double tol = kTol) {
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(lut[i][k], want[k], tol) << "entry " << i << " channel " << k;
}

const Rgba kBlack{0, 0, 0, 1}, kWhite{1, 1, 1, 1}, kRed{1, 0, 0, 1}, kBlue{0, 0, 1, 1};
const Rgba kGreen{0, 1, 0, 1}, kHalfGrey{0.5, 0.5, 0.5, 0.5};

TEST(GradientMapLut, DefaultsRampBlackToWhiteOverTheWholeTable) {
  const auto lut = ops::build_gradient_lut(stops_of({kBlack, kWhite, kWhite, kWhite, kWhite}, {0, 1, 1, 1, 1}));
  ASSERT_EQ(lut.size(), 2048u);
  for (int i : {0, 1, 512, 1024, 2047}) expect_entry(lut, i, lerp(kBlack, kWhite, i / 2048.0));
}

TEST(GradientMapLut, PairAdvancesOnlyOncePositionPassesTheStop) {
  const auto lut = ops::build_gradient_lut(stops_of({kBlack, kRed, kBlue, kWhite, kWhite}, {0, 0.5, 1, 1, 1}));
  expect_entry(lut, 512, lerp(kBlack, kRed, 0.5));
  expect_entry(lut, 1024, kRed);  // pos 0.5 is not > 0.5: still (1,2) at weight 1
  expect_entry(lut, 1025, lerp(kRed, kBlue, 1.0 / 1024));
  expect_entry(lut, 2047, lerp(kRed, kBlue, 1023.0 / 1024));
}

TEST(GradientMapLut, AtMostOnePairPerEntryExtrapolatesAcrossANarrowPair) {
  // Stop 3 lies 1/8192 after stop 2, closer than one entry (1/2048): entry
  // 1025 only advances to (2,3) and extrapolates at weight (1/2048)/(1/8192) = 4.
  const Rgba c2{0.2, 0.2, 0.2, 1}, c3{0.25, 0.3, 0.2, 1};
  const double s3 = 0.5 + 1.0 / 8192;
  const auto lut = ops::build_gradient_lut(stops_of({kBlack, c2, c3, kWhite, kWhite}, {0, 0.5, s3, 1, 1}));
  expect_entry(lut, 1025, Rgba{0.4, 0.6, 0.2, 1});
  expect_entry(lut, 1026, lerp(c3, kWhite, (1026.0 / 2048 - s3) / (1 - s3)));
}

TEST(GradientMapLut, NonAscendingStopsAreUsedAsGiven) {
  // Stops 0, 0.75, 0.25, 1: (1,2) up to pos 0.75; entry 1537 moves to the
  // backwards pair (2,3) and extrapolates slightly; 1538 moves on to (3,4).
  const auto lut = ops::build_gradient_lut(stops_of({kBlack, kRed, kGreen, kBlue, kWhite}, {0, 0.75, 0.25, 1, 1}));
  expect_entry(lut, 768, lerp(kBlack, kRed, (768.0 / 2048) / 0.75));
  expect_entry(lut, 1536, kRed);
  expect_entry(lut, 1537, lerp(kRed, kGreen, (1537.0 / 2048 - 0.75) / (0.25 - 0.75)));
  expect_entry(lut, 1538, lerp(kGreen, kBlue, (1538.0 / 2048 - 0.25) / 0.75));
  expect_entry(lut, 2047, lerp(kGreen, kBlue, (2047.0 / 2048 - 0.25) / 0.75));
}

TEST(GradientMapLut, DuplicateStopsGiveTheSecondColourForTheirOneEntry) {
  // GEGL divides by zero for the zero-width pair (2,3); we take colour 3.
  const auto lut = ops::build_gradient_lut(stops_of({kBlack, kRed, kGreen, kBlue, kWhite}, {0, 0.5, 0.5, 1, 1}));
  expect_entry(lut, 1024, kRed);
  expect_entry(lut, 1025, kGreen);
  expect_entry(lut, 1026, lerp(kGreen, kBlue, (1026.0 / 2048 - 0.5) / 0.5));
  for (const auto& e : lut) {
    for (float v : e) ASSERT_TRUE(std::isfinite(v));
  }
}

TEST(GradientMapLut, ColourFiveAfterTheLastStopAndEarlyAdvanceForNegativeStops) {
  const auto five = ops::build_gradient_lut(
      stops_of({kBlack, kRed, kGreen, kBlue, kHalfGrey}, {0, 0.25, 0.5, 0.75, 0.9}));
  expect_entry(five, 1843, lerp(kBlue, kHalfGrey, (1843.0 / 2048 - 0.75) / 0.15), 1e-5);
  for (int i : {1844, 2000, 2047}) expect_entry(five, i, kHalfGrey);

  // Stop 2 below 0: entry 0 already moves to (2,3), from -1 to 0.5.
  const auto neg = ops::build_gradient_lut(stops_of({kBlack, kRed, kGreen, kBlue, kWhite}, {0, -1, 0.5, 1, 1}));
  expect_entry(neg, 0, lerp(kRed, kGreen, 1.0 / 1.5), 1e-6);
  expect_entry(neg, 1024, kGreen);
  expect_entry(neg, 1025, lerp(kGreen, kBlue, 1.0 / 1024));
}

double srgb_to_linear(double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); }
double linear_to_srgb(double v) { return v <= 0.0031308 ? v * 12.92 : 1.055 * std::pow(v, 1 / 2.4) - 0.055; }

TEST(GradientMapLut, ColoursAreTakenInTheOutputSpace) {
  const auto grey = Color::parse("#808080");
  const auto orange = Color::parse("#ff800040");
  ASSERT_TRUE(grey.ok() && orange.ok());
  const std::array<Color, 5> colours{Color{0, 0, 0, 1}, *grey, *orange, *orange, *orange};
  const std::array<double, 5> positions{0, 0.5, 1, 1, 1};
  const double g = 128 / 255.0;

  const auto srgb = ops::build_gradient_lut(ops::gradient_stops(colours, positions, true));
  expect_entry(srgb, 512, Rgba{g / 2, g / 2, g / 2, 1}, 1e-6);
  expect_entry(srgb, 1536, lerp(Rgba{g, g, g, 1}, Rgba{1, g, 0, 64 / 255.0}, 0.5), 1e-6);

  const double lg = srgb_to_linear(g);
  const auto linear = ops::build_gradient_lut(ops::gradient_stops(colours, positions, false));
  expect_entry(linear, 512, Rgba{lg / 2, lg / 2, lg / 2, 1}, 1e-6);
  expect_entry(linear, 1536, lerp(Rgba{lg, lg, lg, 1}, Rgba{1, lg, 0, 64 / 255.0}, 0.5), 1e-6);
}

TEST(GradientMapLut, IndexTruncatesTheClampedScaledValue) {
  EXPECT_EQ(ops::gradient_lut_index(-0.25f), 0);
  EXPECT_EQ(ops::gradient_lut_index(0.0f), 0);
  EXPECT_EQ(ops::gradient_lut_index(0.5f), 1023);  // 1023.5
  EXPECT_EQ(ops::gradient_lut_index(0.75f), 1535);  // 1535.25
  EXPECT_EQ(ops::gradient_lut_index(1.0f), 2047);
  EXPECT_EQ(ops::gradient_lut_index(3.0f), 2047);
}

// ---- Whole images, expectations computed independently ----

// A piecewise-linear gradient over ascending stops at least 1/2048 apart,
// starting at 0: for such stops the one-pair-per-entry rule is the plain
// textbook gradient evaluated at pos = index / 2048.
struct Gradient {
  std::array<Rgba, 5> colours;  // output space
  std::array<double, 5> stops;
  Rgba at(double pos) const {
    for (int k = 0; k < 4; ++k) {
      if (pos <= stops[k + 1]) return lerp(colours[k], colours[k + 1], (pos - stops[k]) / (stops[k + 1] - stops[k]));
    }
    return colours[4];
  }
};

// LUT indices a luminance may read: trunc(v * 2047), plus the neighbour when
// v * 2047 is within float noise (1e-3) of an integer.
std::vector<int> index_candidates(double v) {
  const double t = std::clamp(v * 2047, 0.0, 2047.0);
  const int i = static_cast<int>(t);
  std::vector<int> out{i};
  if (t - i < 1e-3 && i > 0) out.push_back(i - 1);
  if (t - i > 1 - 1e-3 && i < 2047) out.push_back(i + 1);
  return out;
}

double luminance(const Pixels& p, int x, int y) {
  const double w[3] = {0.22249, 0.71690, 0.06061};
  double lum = 0;
  for (int c = 0; c < 3; ++c) lum += w[c] * srgb_to_linear(p.at(x, y, c) / 255.0);
  return lum;
}

Rgba hex(const char* h) {
  auto c = Color::parse(h);
  if (!c.ok()) throw std::runtime_error(h);
  return {c->r, c->g, c->b, c->a};
}

struct GraphCase {
  const char* input;
  bool srgb;
  double opacity;
  std::array<const char*, 5> colours;
  std::array<double, 5> stops;
};

void check_graph_case(const GraphCase& gc) {
  Gradient g;
  request::Params params;
  for (int i = 0; i < 5; ++i) {
    const Rgba lin = hex(gc.colours[i]);
    g.colours[i] = gc.srgb ? Rgba{linear_to_srgb(lin[0]), linear_to_srgb(lin[1]), linear_to_srgb(lin[2]), lin[3]} : lin;
    g.stops[i] = gc.stops[i];
    params.emplace_back("color" + std::to_string(i + 1), gc.colours[i]);
    params.emplace_back("stop" + std::to_string(i + 1), std::to_string(gc.stops[i]));
  }
  params.emplace_back("srgb", gc.srgb ? "true" : "false");
  params.emplace_back("opacity", std::to_string(gc.opacity));

  const std::string input = read_file(example(gc.input));
  const Pixels in = decode_pixels(input);
  const Pixels out = decode_pixels(run_graph("gradientmap", input, params));
  ASSERT_EQ(out.width, in.width);
  ASSERT_EQ(out.height, in.height);
  ASSERT_EQ(out.bands, 4);

  long wrong = 0;
  std::string first;
  for (int y = 0; y < in.height; ++y) {
    for (int x = 0; x < in.width; ++x) {
      const double lum = luminance(in, x, y);
      bool ok = out.at(x, y, 3) == 255;
      for (int c = 0; c < 3 && ok; ++c) {
        bool any = false;
        for (int idx : index_candidates(gc.srgb ? linear_to_srgb(lum) : lum)) {
          const double v = g.at(idx / 2048.0)[c];
          const double grad = gc.srgb ? v : linear_to_srgb(v);  // src-over mixes sRGB-encoded values
          const double want = 255 * (gc.opacity * grad + (1 - gc.opacity) * in.at(x, y, c) / 255.0);
          any = any || std::abs(out.at(x, y, c) - want) <= 1.0;
        }
        ok = any;
      }
      if (!ok && wrong++ == 0) first = "(" + std::to_string(x) + "," + std::to_string(y) + ")";
    }
  }
  EXPECT_EQ(wrong, 0) << gc.input << ": first wrong pixel at " << first;
}

TEST(GradientMapGraph, FourStopsInSrgbOnTheBlackWhiteRamp) {
  check_graph_case({"gradient-black-white.png", true, 1.0,
                    {"#0A2A2F", "#FF0000", "#00FF00", "#FFFFFF", "#FFFFFF"}, {0, 0.3, 0.6, 1, 1}});
}

TEST(GradientMapGraph, FiveStopsInLinearLightOnTheRainbowHalfOpaque) {
  check_graph_case({"gradient_rainbow.png", false, 0.5,
                    {"#000000", "#3050ff", "#ff2020", "#ffff00", "#ffffff"}, {0, 0.2, 0.45, 0.7, 0.95}});
}

TEST(GradientMapOp, AlphaIsTheLutAlphaTimesTheInputAlpha) {
  // Grey pixels (Y' = code / 255) with varying alpha; colours with alpha.
  std::vector<uint8_t> samples;
  const int n = 64;
  for (int i = 0; i < n; ++i) {
    const auto code = static_cast<uint8_t>(i * 4 + 1);
    samples.insert(samples.end(), {code, code, code, static_cast<uint8_t>(255 - i * 3)});
  }
  const auto img = image_from(samples, n, 1, runtime::fmt::kRpGpBpAU8);
  const auto out = run_op_samples("gegl/gradient-map", img,
                          {{"color1", "#ff000080"}, {"color2", "#0000ff"}, {"stop2", "1"}, {"srgb", "true"}});
  ASSERT_EQ(out.format, runtime::fmt::kRpGpBpAFloat);
  const Gradient g{{Rgba{1, 0, 0, 128 / 255.0}, Rgba{0, 0, 1, 1}, kWhite, kWhite, kWhite}, {0, 1, 1, 1, 1}};
  for (int i = 0; i < n; ++i) {
    const double in_alpha = (255 - i * 3) / 255.0;
    const auto candidates = index_candidates((i * 4 + 1) / 255.0);
    bool ok = false;
    for (int idx : candidates) {
      const Rgba want = g.at(idx / 2048.0);
      ok = ok || (std::abs(out.at(i, 0, 0) - want[0]) < 1e-5 && std::abs(out.at(i, 0, 2) - want[2]) < 1e-5 &&
                  std::abs(out.at(i, 0, 3) - want[3] * in_alpha) < 1e-5);
    }
    EXPECT_TRUE(ok) << "pixel " << i;
  }
}

}  // namespace
}  // namespace imgflo::test
