// Value conversion and clamping with the original runtime's rules, and colours.
#include "runtime/property.h"

#include <gtest/gtest.h>

#include <cmath>

namespace imgflo::runtime {
namespace {

using ojson = nlohmann::ordered_json;

const PropSpec kNumber = PropSpec::number("n", "", 1.5, 0.0, 1500.0);
const PropSpec kInt = PropSpec::integer("i", "", 4, 1.0, 8.0);
const PropSpec kBool = PropSpec::boolean("b", "", false);
const PropSpec kEnum = PropSpec::enumeration("e", "", {"none", "clamp", "black", "white"}, 1);
const PropSpec kColor = PropSpec::color("c", "", Color{});

// Text values go through request::parse_param (tests/unit/param_value_test.cc);
// here: the runtime's wrapper and the JSON IIP rules.
TEST(Convert, StringsUseTheRequestRulesNamedByTheProperty) {
  auto v = convert_string(kNumber, "10px");
  ASSERT_TRUE(v.ok());
  EXPECT_DOUBLE_EQ(std::get<double>(*v), 10.0);
  auto bad = convert_string(kNumber, "abc");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().details()["parameter"], "n");
}

TEST(Convert, JsonNumbersTruncateAndClamp) {
  auto j = convert_json(kInt, ojson(10), kInt.default_value);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(std::get<int64_t>(*j), 8);  // like holdness 10 -> 8
  auto d = convert_json(kInt, ojson(2.7), kInt.default_value);
  EXPECT_EQ(std::get<int64_t>(*d), 2);
  EXPECT_DOUBLE_EQ(std::get<double>(*convert_json(kNumber, ojson(-5), kNumber.default_value)), 0.0);
}

TEST(Convert, JsonBooleansAndNumbersSetBooleans) {
  EXPECT_TRUE(std::get<bool>(*convert_json(kBool, ojson(true), false)));
  EXPECT_TRUE(std::get<bool>(*convert_json(kBool, ojson(1), false)));
  EXPECT_FALSE(std::get<bool>(*convert_json(kBool, ojson("FALSE"), true)));
}

TEST(Convert, JsonEnumIndexOutOfRangeKeepsCurrent) {
  EXPECT_EQ(std::get<int64_t>(*convert_json(kEnum, ojson(3), int64_t{1})), 3);
  EXPECT_EQ(std::get<int64_t>(*convert_json(kEnum, ojson(9), int64_t{2})), 2);
  EXPECT_EQ(value_to_json(kEnum, int64_t{3}), "white");
}

TEST(Convert, ColourErrorsAreReported) {
  auto bad = convert_string(kColor, "#12345");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_FALSE(convert_json(kColor, ojson(3), kColor.default_value).ok());
}

TEST(Color, ParsesHexForms) {
  auto c = Color::parse("#0A2A2F");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->to_hex(), "#0a2a2fff");
  EXPECT_NEAR(c->r, srgb_to_linear(10 / 255.0), 1e-12);
  EXPECT_EQ(Color::parse("#fff")->to_hex(), "#ffffffff");
  EXPECT_EQ(Color::parse("#f008")->to_hex(), "#ff000088");
  EXPECT_EQ(Color::parse("#11223344")->to_hex(), "#11223344");
  EXPECT_FALSE(Color::parse("#ggg").ok());
  EXPECT_FALSE(Color::parse("#12").ok());
}

TEST(Color, NamesAndFunctions) {
  EXPECT_EQ(Color::parse("Silver")->to_hex(), "#c0c0c0ff");
  EXPECT_EQ(Color::parse(" navy ")->to_hex(), "#000080ff");
  EXPECT_EQ(Color::parse("none")->to_hex(), "#00000000");
  auto lin = Color::parse("rgb(0.5, 0.25, 1)");  // linear-light floats
  ASSERT_TRUE(lin.ok());
  EXPECT_DOUBLE_EQ(lin->r, 0.5);
  EXPECT_DOUBLE_EQ(lin->g, 0.25);
  EXPECT_DOUBLE_EQ(lin->a, 1.0);
  EXPECT_DOUBLE_EQ(Color::parse("rgba(1,1,1,0.5)")->a, 0.5);
  EXPECT_FALSE(Color::parse("rgb(1,2)").ok());
  EXPECT_FALSE(Color::parse("rgba(1,2,3)").ok());
  EXPECT_FALSE(Color::parse("chartreuse").ok());
}

TEST(Color, SrgbCurveRoundTrips) {
  for (double v : {0.0, 0.001, 0.04, 0.2, 0.5, 0.9, 1.0}) {
    EXPECT_NEAR(linear_to_srgb(srgb_to_linear(v)), v, 1e-12) << v;
  }
}

TEST(PropertyValues, AccessorsFollowSpecs) {
  const std::vector<PropSpec> specs = {kNumber, kInt, kBool, kEnum, kColor};
  PropertyValues pv(&specs);
  EXPECT_DOUBLE_EQ(pv.number("n"), 1.5);
  EXPECT_DOUBLE_EQ(pv.number("i"), 4.0);  // ints read as numbers too
  EXPECT_EQ(pv.integer("i"), 4);
  EXPECT_FALSE(pv.boolean("b"));
  EXPECT_EQ(pv.enum_index("e"), 1);
  EXPECT_EQ(pv.index_of("missing"), -1);
  pv.set(pv.index_of("n"), 3.0);
  EXPECT_DOUBLE_EQ(pv.number("n"), 3.0);
}

}  // namespace
}  // namespace imgflo::runtime
