// request::parse_param and convert_params: request values converted against
// an inport's type (number, int, boolean, enum, color, string), clamped, or
// refused with a 400 naming the parameter, the value and what is allowed.
#include "request/param_value.h"

#include <gtest/gtest.h>

namespace imgflo::request {
namespace {

ParamRule rule(ParamType type, std::optional<double> min = {}, std::optional<double> max = {},
               std::vector<std::string> nicks = {}) {
  ParamRule r;
  r.type = type;
  r.minimum = min;
  r.maximum = max;
  r.enum_values = std::move(nicks);
  return r;
}

const ParamRule kNumber = rule(ParamType::kNumber, 0.0, 1500.0);
const ParamRule kInt = rule(ParamType::kInt, 1.0, 8.0);
const ParamRule kBool = rule(ParamType::kBoolean);
const ParamRule kEnum = rule(ParamType::kEnum, {}, {}, {"none", "clamp", "black", "white"});
const ParamRule kColor = rule(ParamType::kColor);
const ParamRule kString = rule(ParamType::kString);

ParamValue parsed(const ParamRule& r, std::string_view text) {
  auto v = parse_param(r, "p", text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : ParamValue(std::string("not parsed"));
}

// The refusal: 400, details naming parameter, value and what is allowed.
void expect_refused(const ParamRule& r, std::string_view text, const std::string& allowed) {
  auto v = parse_param(r, "p", text);
  ASSERT_FALSE(v.ok()) << text;
  EXPECT_EQ(v.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(v.error().status(), 400);
  EXPECT_EQ(v.error().details()["parameter"], "p");
  EXPECT_EQ(v.error().details()["value"], text);
  EXPECT_EQ(v.error().details()["allowed"], allowed) << text;
}

TEST(ParamValue, NumbersReadTheirPrefixAndAreClamped) {
  EXPECT_DOUBLE_EQ(std::get<double>(parsed(kNumber, "10px")), 10.0);
  EXPECT_DOUBLE_EQ(std::get<double>(parsed(kNumber, " 2.5")), 2.5);
  EXPECT_DOUBLE_EQ(std::get<double>(parsed(kNumber, "-5")), 0.0);     // minimum
  EXPECT_DOUBLE_EQ(std::get<double>(parsed(kNumber, "1e9")), 1500.0);  // maximum
  EXPECT_DOUBLE_EQ(std::get<double>(parsed(kNumber, "nan")), 0.0);
}

TEST(ParamValue, NumbersWithoutANumericPrefixAreRefused) {
  for (const char* text : {"abc", "", "px10", "-"}) expect_refused(kNumber, text, "number");
}

TEST(ParamValue, IntegersTruncateAndClamp) {
  EXPECT_EQ(std::get<int64_t>(parsed(kInt, "7.9")), 7);
  EXPECT_EQ(std::get<int64_t>(parsed(kInt, "10")), 8);  // like holdness 10 -> 8
  EXPECT_EQ(std::get<int64_t>(parsed(kInt, "-3")), 1);
  // Clamped inside int64_t's range (9.2e18), never converted out of range.
  EXPECT_EQ(std::get<int64_t>(parsed(rule(ParamType::kInt), "99999999999999999999999")), 9200000000000000000LL);
}

TEST(ParamValue, IntegersWithoutAPrefixAreRefused) {
  for (const char* text : {"x", "", ".5"}) expect_refused(kInt, text, "integer");
}

TEST(ParamValue, BooleansAreTrueOrFalseInAnyCase) {
  EXPECT_TRUE(std::get<bool>(parsed(kBool, "true")));
  EXPECT_TRUE(std::get<bool>(parsed(kBool, "TRUE")));
  EXPECT_FALSE(std::get<bool>(parsed(kBool, "false")));
  EXPECT_FALSE(std::get<bool>(parsed(kBool, "False")));
  for (const char* text : {"maybe", "1", "yes", ""}) expect_refused(kBool, text, "true or false");
}

TEST(ParamValue, EnumsTakeTheirNicksOnly) {
  EXPECT_EQ(std::get<int64_t>(parsed(kEnum, "white")), 3);
  EXPECT_EQ(std::get<int64_t>(parsed(kEnum, "none")), 0);
  for (const char* text : {"bogus", "White", ""}) expect_refused(kEnum, text, "one of: none, clamp, black, white");
}

TEST(ParamValue, ColoursParseLikeGegl) {
  EXPECT_EQ(std::get<Color>(parsed(kColor, "#082A31")).to_hex(), "#082a31ff");
  EXPECT_EQ(std::get<Color>(parsed(kColor, "red")).to_hex(), "#ff0000ff");
  for (const char* text : {"#12345", "notacolour", ""}) {
    auto v = parse_param(kColor, "p", text);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.error().details()["allowed"], allowed_values(kColor));
  }
}

TEST(ParamValue, StringsAreTakenAsTheyAre) {
  EXPECT_EQ(std::get<std::string>(parsed(kString, "")), "");
  EXPECT_EQ(std::get<std::string>(parsed(kString, "any thing")), "any thing");
}

TEST(ParamValue, ConvertParamsConvertsKnownInportsInOrder) {
  const Inports inports = {{"amount", kNumber}, {"srgb", kBool}};
  auto typed = convert_params({{"amount", "3"}, {"other", "x"}, {"srgb", "true"}, {"amount", "2000"}}, inports);
  ASSERT_TRUE(typed.ok());
  ASSERT_EQ(typed->size(), 3u);  // "other" is left to the runtime's name check
  EXPECT_EQ((*typed)[0].first, "amount");
  EXPECT_DOUBLE_EQ(std::get<double>((*typed)[0].second), 3.0);
  EXPECT_TRUE(std::get<bool>((*typed)[1].second));
  EXPECT_DOUBLE_EQ(std::get<double>((*typed)[2].second), 1500.0);
}

TEST(ParamValue, ConvertParamsNamesTheFirstBadValue) {
  const Inports inports = {{"amount", kNumber}, {"srgb", kBool}};
  auto typed = convert_params({{"amount", "3"}, {"srgb", "maybe"}, {"amount", "abc"}}, inports);
  ASSERT_FALSE(typed.ok());
  EXPECT_EQ(typed.error().details()["parameter"], "srgb");
  EXPECT_EQ(typed.error().details()["value"], "maybe");
  EXPECT_EQ(typed.error().details()["allowed"], "true or false");
}

}  // namespace
}  // namespace imgflo::request
