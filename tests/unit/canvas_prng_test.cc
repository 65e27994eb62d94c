// seedrandom's ARC4 generator, MD5 and the JavaScript string helpers against
// values recorded from the npm packages (tests/data/canvas-oracle.json).
#include "core/digest.h"
#include "canvas/seedrandom.h"
#include "canvas/text.h"
#include "support/canvas_oracle.h"

#include <gtest/gtest.h>

namespace imgflo::canvas {
namespace {

using test::canvas_oracle;

TEST(SeedRandom, DocumentedReferenceVector) {
  SeedRandom rng("hello.");
  EXPECT_EQ(rng.next(), 0.9282578795792454);
  EXPECT_EQ(rng.next(), 0.3752569768646784);
}

// Every recorded seed (ASCII, empty, MD5 hex, non-BMP Unicode, longer than
// the 256-byte key) gives the recorded sequence bit for bit.
TEST(SeedRandom, MatchesNpmSeedrandomForEveryRecordedSeed) {
  const auto& cases = canvas_oracle().at("prng");
  ASSERT_GE(cases.size(), 8u);
  for (const auto& c : cases) {
    const std::string seed = c.at("seed");
    SeedRandom rng(seed);
    const auto& values = c.at("values");
    for (size_t i = 0; i < values.size(); ++i) {
      const double expected = values[i];
      ASSERT_EQ(rng.next(), expected) << "seed \"" << seed << "\", value " << i;
    }
  }
}

TEST(SeedRandom, ShortKeysCycleAsInArc4) {
  // A documented property of the ARC4 key schedule: "ab" and "abab" are the same key.
  SeedRandom a("ab"), b("abab"), c("abc");
  for (int i = 0; i < 5; ++i) {
    const double va = a.next();
    EXPECT_EQ(va, b.next());
    EXPECT_NE(va, c.next());
  }
}

TEST(SeedRandom, ValuesAreInUnitInterval) {
  SeedRandom rng("range");
  for (int i = 0; i < 10000; ++i) {
    const double v = rng.next();
    ASSERT_GE(v, 0.0);
    ASSERT_LT(v, 1.0);
  }
}

TEST(Md5, MatchesNode) {
  for (const auto& c : canvas_oracle().at("md5")) {
    EXPECT_EQ(md5_hex(c.at("input").get<std::string>()), c.at("hex").get<std::string>()) << c.at("input");
  }
}

TEST(JsText, Utf16UnitsRoundTrip) {
  const std::string s = "h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x98\x80";  // héllo ☃ 😀
  const auto units = utf16_units(s);
  ASSERT_EQ(units.size(), 10u);  // the emoji is a surrogate pair
  EXPECT_EQ(units[1], 0xE9);
  EXPECT_EQ(units[8], 0xD83D);
  EXPECT_EQ(units[9], 0xDE00);
  EXPECT_EQ(utf8_from_units(units), s);
  EXPECT_EQ(utf16_units("\xff")[0], 0xFFFD);
}

TEST(JsText, SubstrFollowsJavaScript) {
  const double five = 5, minus = -1, big = 100;
  EXPECT_EQ(js_substr("0123456789", 0, &five), "01234");
  EXPECT_EQ(js_substr("0123456789", 7, nullptr), "789");
  EXPECT_EQ(js_substr("0123456789", -3, nullptr), "789");
  EXPECT_EQ(js_substr("0123456789", 2, &minus), "");
  EXPECT_EQ(js_substr("0123456789", 20, &five), "");
  EXPECT_EQ(js_substr("abc", 1, &big), "bc");
}

TEST(JsText, NumberStrings) {
  EXPECT_EQ(js_number_string(0.9), "0.9");
  EXPECT_EQ(js_number_string(42), "42");
  EXPECT_EQ(js_number_string(-200), "-200");
}

}  // namespace
}  // namespace imgflo::canvas
