// CSS colour strings as node-canvas accepted them.
#include "canvas/css_color.h"

#include <gtest/gtest.h>

namespace imgflo::canvas {
namespace {

Rgba parsed(const std::string& s) {
  auto c = parse_css_color(s);
  EXPECT_TRUE(c.ok()) << s;
  return c.ok() ? *c : Rgba{};
}

TEST(CssColor, HexForms) {
  EXPECT_EQ(parsed("#87a9a7"), (Rgba{0x87, 0xa9, 0xa7, 1.0}));
  EXPECT_EQ(parsed("#DDD"), (Rgba{0xdd, 0xdd, 0xdd, 1.0}));
  EXPECT_EQ(parsed(" #ff000080 ").a, 128 / 255.0);
}

TEST(CssColor, FunctionsTakeBytesAndClamp) {
  EXPECT_EQ(parsed("rgba(12, 34, 56, 0.9)"), (Rgba{12, 34, 56, 0.9}));
  EXPECT_EQ(parsed("rgb(300,-5,127.6)"), (Rgba{255, 0, 128, 1.0}));
  EXPECT_EQ(parsed("rgb(100%, 50%, 0%)"), (Rgba{255, 128, 0, 1.0}));
  EXPECT_EQ(parsed("RGBA(1,2,3,7)").a, 1.0);
  EXPECT_EQ(parsed("hsl(120, 100%, 25%)"), (Rgba{0, 128, 0, 1.0}));
  EXPECT_EQ(parsed("hsla(0, 0%, 100%, 0.5)"), (Rgba{255, 255, 255, 0.5}));
}

TEST(CssColor, NamesFromCss3) {
  EXPECT_EQ(parsed("Orange"), (Rgba{255, 165, 0, 1.0}));
  EXPECT_EQ(parsed("lightgoldenrodyellow"), (Rgba{0xfa, 0xfa, 0xd2, 1.0}));
  EXPECT_EQ(parsed("transparent").a, 0.0);
}

TEST(CssColor, Invalid) {
  for (const char* s : {"", "#12", "#ggg", "rgb(1,2)", "rgb(1,2,3", "rgba(1,2,3)", "hsl(1,2,3)", "blurple",
                        "url(x)", "rgb(1,,2,3)", "rebeccapurple"}) {
    auto c = parse_css_color(s);
    ASSERT_FALSE(c.ok()) << s;
    EXPECT_EQ(c.error().kind(), ErrorKind::kInvalidArgument);
  }
}

}  // namespace
}  // namespace imgflo::canvas
