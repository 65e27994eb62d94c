// The universal quality/lossless parameters (runtime/output_options.h):
// parsing, range and per-type checks, and their catalogue entries.
#include "runtime/output_options.h"

#include <gtest/gtest.h>

namespace imgflo::runtime {
namespace {

Result<OutputOptions> take(request::Params params, const char* type = "webp") {
  return take_output_params(params, type);
}

TEST(OutputOptions, AbsentMeansTheTypeDefaults) {
  auto o = take({});
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->quality.has_value());
  EXPECT_FALSE(o->lossless);
  EXPECT_EQ(o->quality_or(77), 77);
}

TEST(OutputOptions, TakesItsParametersAndLeavesTheRest) {
  request::Params params = {{"x", "1"}, {"quality", "40"}, {"lossless", "TRUE"}, {"width", "5"}};
  auto o = take_output_params(params, "jxl");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->quality, 40);
  EXPECT_TRUE(o->lossless);
  EXPECT_EQ(params, (request::Params{{"x", "1"}, {"width", "5"}}));
}

TEST(OutputOptions, QualityBoundsAndLaterValueWins) {
  EXPECT_EQ(take({{"quality", "1"}})->quality, 1);
  EXPECT_EQ(take({{"quality", "100"}})->quality, 100);
  EXPECT_EQ(take({{"quality", "20"}, {"quality", "95"}})->quality, 95);
}

TEST(OutputOptions, QualityMustBeAnIntegerFrom1To100) {
  for (const char* bad : {"0", "101", "-5", "", "abc", "50.5", "1e2", " 50", "50 ", "+5", "0x10", "99999999999"}) {
    auto o = take({{"quality", bad}});
    ASSERT_FALSE(o.ok()) << bad;
    EXPECT_EQ(o.error().kind(), ErrorKind::kInvalidArgument) << bad;
    EXPECT_EQ(o.error().details()["parameter"], "quality") << bad;
    EXPECT_EQ(o.error().details()["value"], bad) << bad;
  }
}

TEST(OutputOptions, LosslessIsTrueOrFalse) {
  EXPECT_FALSE(take({{"lossless", "false"}})->lossless);
  EXPECT_TRUE(take({{"lossless", "True"}})->lossless);
  for (const char* bad : {"yes", "1", "", "truee"}) {
    auto o = take({{"lossless", bad}});
    ASSERT_FALSE(o.ok()) << bad;
    EXPECT_EQ(o.error().kind(), ErrorKind::kInvalidArgument) << bad;
    EXPECT_EQ(o.error().details()["parameter"], "lossless") << bad;
  }
}

TEST(OutputOptions, LosslessOnlyWhereEveryPixelCanBeKept) {
  for (const char* type : {"png", "webp", "avif", "jxl"}) {
    EXPECT_TRUE(take({{"lossless", "true"}}, type).ok()) << type;
  }
  for (const char* type : {"jpg", "gif"}) {
    auto o = take({{"lossless", "true"}}, type);
    ASSERT_FALSE(o.ok()) << type;
    EXPECT_EQ(o.error().kind(), ErrorKind::kInvalidArgument) << type;
    EXPECT_NE(o.error().message().find(type), std::string::npos) << o.error().message();
    EXPECT_TRUE(take({{"lossless", "false"}, {"quality", "30"}}, type).ok()) << type;
  }
  // Quality is accepted by every type (no effect on png/gif): one URL template for all.
  EXPECT_TRUE(take({{"quality", "30"}}, "png").ok());
  EXPECT_TRUE(take({{"quality", "30"}}, "gif").ok());
}

TEST(OutputOptions, CatalogueEntriesAreTyped) {
  const auto params = output_parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "quality");
  EXPECT_EQ(params[0].metadata["type"], "int");
  EXPECT_EQ(params[0].metadata["minimum"], 1);
  EXPECT_EQ(params[0].metadata["maximum"], 100);
  EXPECT_EQ(params[1].name, "lossless");
  EXPECT_EQ(params[1].metadata["type"], "boolean");
  EXPECT_EQ(params[1].metadata["default"], false);
}

}  // namespace
}  // namespace imgflo::runtime
