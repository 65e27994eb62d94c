// imgfloextra/retro-curve and the retro graph, against expectations computed
// here from data/retro-curve-tables.json (read from the repository, while the
// runtime uses the copy compiled into the binary) with a scalar version of
// the original's per-pixel code. No GEGL oracle exists for this custom op.
#include "support/paths.h"
#include "support/pixels.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace imgflo::test {
namespace {

using runtime::fmt::kRpGpBpAU8;
using runtime::fmt::kRpGpBpFloat;
using runtime::fmt::kRpGpBpU8;

struct Curves {
  std::array<std::vector<int>, 3> channel;  // R, G, B
  std::vector<int> master;                  // A
};

Curves load_curves(const std::string& preset) {
  static const auto doc = nlohmann::json::parse(read_file(source_dir() / "data" / "retro-curve-tables.json"));
  const std::map<std::string, std::string> prefix = {
      {"prog", "NINE"}, {"indie", "BRANNAN"}, {"batcave", "GOTHAM"}, {"country", "NASHVILLE"}};
  const std::string p = prefix.at(preset);
  const auto& t = doc.at("tables");
  return Curves{{t.at(p + "_R").get<std::vector<int>>(), t.at(p + "_G").get<std::vector<int>>(),
                 t.at(p + "_B").get<std::vector<int>>()},
                t.at(p + "_A").get<std::vector<int>>()};
}

const std::vector<std::string> kPresets = {"prog", "indie", "batcave", "country"};

// ---- The original's per-pixel code, written out as scalars ----

int country_u8(int v) {
  float channel = static_cast<float>(v) / 255.0f;
  channel = (channel - 0.5f) * 1.1f + -0.05f + 0.5f;
  channel = std::min(std::max(channel, 0.0f), 1.0f);
  return static_cast<int>(channel * 255.0f);
}

std::array<int, 3> expect_u8(const Curves& t, const std::string& preset, std::array<int, 3> in) {
  if (preset == "country") in[0] = country_u8(in[0]);  // R only: the upstream bug
  std::array<int, 3> out{};
  for (int c = 0; c < 3; ++c) out[c] = t.master[t.channel[c][in[c]]];
  if (preset == "indie") {
    int max = out[0] > out[1] ? 0 : 1;
    max = out[max] > out[2] ? max : 2;
    for (int c = 0; c < 3; ++c) {
      if (c != max) out[c] += static_cast<int>(static_cast<float>(out[max] - out[c]) * 0.1f + 0.5f);
    }
  }
  return out;
}

int u8_cast(float integral) { return static_cast<int>(integral) & 255; }  // C (guint8) on x86

float expect_float(const Curves& t, const std::string& preset, int c, float v) {
  if (preset == "country") v = (v - 0.5f) * 1.1f + -0.05f + 0.5f;  // all channels, unclamped
  const float x = v * 255.0f;
  const float hi = std::ceil(x), lo = std::floor(x);
  float y = static_cast<float>(t.channel[c][u8_cast(hi)]);
  if (hi != lo) {
    const float y_lo = static_cast<float>(t.channel[c][u8_cast(lo)]);
    y = y_lo + (y - y_lo) * (x - lo) / (hi - lo);
  }
  return static_cast<float>(t.master[u8_cast(y)]) / 255.0f;
}

// ---- The op on in-memory images ----

TEST(RetroCurveOp, U8PathMatchesTheTablesExactlyForEveryPreset) {
  const int n = 256;
  std::vector<uint8_t> samples;
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) samples.insert(samples.end(), {uint8_t(x), uint8_t(y), uint8_t((x * 7 + y * 13) & 255)});
  }
  const auto img = image_from(samples, n, n, kRpGpBpU8);
  for (const auto& preset : kPresets) {
    const Curves t = load_curves(preset);
    const auto out = run_op_samples("imgfloextra/retro-curve", img, {{"preset", preset}});
    ASSERT_EQ(out.format, kRpGpBpU8) << preset;
    long wrong = 0;
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        const auto want = expect_u8(t, preset, {x, y, (x * 7 + y * 13) & 255});
        for (int c = 0; c < 3; ++c) wrong += out.at(x, y, c) != static_cast<float>(want[c]);
      }
    }
    EXPECT_EQ(wrong, 0) << preset;
  }
}

TEST(RetroCurveOp, CountryAdjustsOnlyRedOnTheU8Path) {
  const Curves t = load_curves("country");
  const int grey = 20;  // (20/255 - 0.5) * 1.1 - 0.05 + 0.5 < 0: clamps to code 0
  ASSERT_EQ(country_u8(grey), 0);
  ASSERT_NE(t.master[t.channel[1][grey]], t.master[t.channel[1][0]]);  // the quirk is visible in G
  const auto out = run_op_samples("imgfloextra/retro-curve", image_from(std::vector<uint8_t>{grey, grey, grey, 200}, 1, 1, kRpGpBpAU8),
                          {{"preset", "country"}});
  ASSERT_EQ(out.format, kRpGpBpU8);  // alpha dropped
  EXPECT_EQ(out.at(0, 0, 0), t.master[t.channel[0][0]]);
  EXPECT_EQ(out.at(0, 0, 1), t.master[t.channel[1][grey]]);
  EXPECT_EQ(out.at(0, 0, 2), t.master[t.channel[2][grey]]);
}

TEST(RetroCurveOp, FloatPathInterpolatesThenTruncatesLikeTheOriginal) {
  std::vector<float> values;
  for (int k = 0; k < 256; ++k) values.push_back(static_cast<float>(k) / 255.0f);
  // Between codes, at the ends, and outside 0..1 (indices wrap like C's u8 cast).
  for (float v : {0.1234f, 0.5f, 0.37f, 0.8888f, 0.999f, 1.0f, 0.004f, 0.05f, -0.02f, 1.01f}) values.push_back(v);
  while (values.size() % 3 != 0) values.push_back(0.6f);
  const int width = static_cast<int>(values.size()) / 3;
  // Rotate the values through the channels so each channel sees each value.
  for (int shift = 0; shift < 3; ++shift) {
    std::vector<float> samples(values.size());
    for (size_t i = 0; i < values.size(); ++i) samples[i] = values[(i + shift) % values.size()];
    const auto img = image_from(samples, width, 1, kRpGpBpFloat);
    for (const auto& preset : kPresets) {
      const Curves t = load_curves(preset);
      const auto out = run_op_samples("imgfloextra/retro-curve", img, {{"preset", preset}});
      ASSERT_EQ(out.format, kRpGpBpFloat) << preset;
      for (int x = 0; x < width; ++x) {
        for (int c = 0; c < 3; ++c) {
          const float v = samples[x * 3 + c];
          ASSERT_NEAR(out.at(x, 0, c), expect_float(t, preset, c, v), 1e-6)
              << preset << " value " << v << " channel " << c;
        }
      }
    }
  }
}

TEST(RetroCurveOp, NonePassesTheInputThrough) {
  const auto img = image_from(std::vector<uint8_t>{10, 20, 30, 40}, 1, 1, kRpGpBpAU8);
  const auto out = run_op_samples("imgfloextra/retro-curve", img, {{"preset", "none"}});
  EXPECT_EQ(out.format, kRpGpBpAU8);
  EXPECT_EQ(out.data, (std::vector<float>{10, 20, 30, 40}));
}

// ---- The retro graph: curve result at `strength` 0.5 over the original ----

// Retro values (0..255) a pixel channel may take, per path. The float path
// reads sRGB values that went through linear light and back (~1e-7 noise), so
// it is evaluated just below, at and just above the exact value.
std::vector<double> retro_values(const Curves& t, const std::string& preset, const Pixels& in, int x, int y, int c,
                                 bool float_path) {
  if (!float_path) return {static_cast<double>(expect_u8(t, preset, {in.at(x, y, 0), in.at(x, y, 1), in.at(x, y, 2)})[c])};
  std::vector<double> out;
  const float v = static_cast<float>(in.at(x, y, c)) / 255.0f;
  for (float d : {-1e-6f, 0.0f, 1e-6f}) out.push_back(255.0 * expect_float(t, preset, c, v + d));
  return out;
}

// Pixels whose output is not the 50/50 mix of the original and an allowed
// retro value (0.51: the mix of two integers rounds either way at .5).
long mix_mismatches(const Pixels& in, const Pixels& out, const Curves& t, const std::string& preset, bool float_path) {
  long wrong = 0;
  for (int y = 0; y < in.height; ++y) {
    for (int x = 0; x < in.width; ++x) {
      bool ok = out.at(x, y, 3) == 255;
      for (int c = 0; c < 3 && ok; ++c) {
        bool any = false;
        for (double r : retro_values(t, preset, in, x, y, c, float_path)) {
          any = any || std::abs(out.at(x, y, c) - (in.at(x, y, c) + r) / 2) <= 0.51;
        }
        ok = any;
      }
      wrong += !ok;
    }
  }
  return wrong;
}

class RetroGraph : public testing::TestWithParam<std::string> {};

TEST_P(RetroGraph, U8InputMixesTheU8PathHalfAndHalf) {
  const std::string input = read_file(example("gradient_rainbow.png"));
  const Pixels in = decode_pixels(input);
  request::Params params;
  if (GetParam() != "prog") params.emplace_back("preset", GetParam());  // prog is the graph's default
  const Pixels out = decode_pixels(run_graph("retro", input, params));
  ASSERT_EQ(out.width, in.width);
  ASSERT_EQ(out.bands, 4);
  EXPECT_EQ(mix_mismatches(in, out, load_curves(GetParam()), GetParam(), false), 0);
}

TEST_P(RetroGraph, RescaledInputTakesTheFloatPath) {
  const std::string input = read_file(example("gradient_rainbow.png"));
  const Pixels in = decode_pixels(input);
  // Rescaling to the same width keeps the pixels but makes them float.
  const Pixels out = decode_pixels(
      run_graph("retro", input, {{"preset", GetParam()}, {"width", std::to_string(in.width)}}));
  ASSERT_EQ(out.width, in.width);
  ASSERT_EQ(out.height, in.height);
  const Curves t = load_curves(GetParam());
  EXPECT_EQ(mix_mismatches(in, out, t, GetParam(), true), 0);
  if (GetParam() == "indie" || GetParam() == "country") {
    // No 10 % push / contrast on G and B: the u8 expectation must not fit.
    EXPECT_GT(mix_mismatches(in, out, t, GetParam(), false), in.width * in.height / 10);
  }
}

INSTANTIATE_TEST_SUITE_P(Presets, RetroGraph, testing::ValuesIn(kPresets),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(RetroGraphNone, NoneMixesTheInputWithItself) {
  const std::string input = read_file(example("gradient_rainbow.png"));
  const Pixels in = decode_pixels(input);
  const Pixels out = decode_pixels(run_graph("retro", input, {{"preset", "none"}, {"strength", "0.8"}}));
  long wrong = 0;
  for (int y = 0; y < in.height; ++y) {
    for (int x = 0; x < in.width; ++x) {
      for (int c = 0; c < 3; ++c) wrong += std::abs(out.at(x, y, c) - in.at(x, y, c)) > 0;
    }
  }
  EXPECT_EQ(wrong, 0);
}

}  // namespace
}  // namespace imgflo::test
