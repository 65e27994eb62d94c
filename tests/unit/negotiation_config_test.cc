// The negotiation and redirect settings: IMGFLO_AUTO_FORMAT / --auto-format and
// IMGFLO_REDIRECT_MAX_AGE / --redirect-max-age (app::Config).
#include "app/config.h"

#include <gtest/gtest.h>

namespace imgflo::app {
namespace {

using namespace std::chrono_literals;

TEST(NegotiationConfig, DefaultsAvifWebpAndOneDay) {
  auto c = Config::load({}, {});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->handler.auto_formats, (std::vector<std::string>{"avif", "webp"}));
  EXPECT_EQ(c->handler.redirect_max_age, 86400s);
  const std::string help = Config::help(Config::Program::server);
  EXPECT_NE(help.find("--auto-format  (IMGFLO_AUTO_FORMAT)"), std::string::npos) << help;
  EXPECT_NE(help.find("default avif,webp"), std::string::npos);
  EXPECT_NE(help.find("--redirect-max-age  (IMGFLO_REDIRECT_MAX_AGE)"), std::string::npos);
  EXPECT_NE(help.find("default 86400"), std::string::npos);
  EXPECT_EQ(Config::help(Config::Program::worker).find("IMGFLO_AUTO_FORMAT"), std::string::npos)
      << "a frontend setting";
}

TEST(NegotiationConfig, EnvironmentAndFlags) {
  auto off = Config::load({{"IMGFLO_AUTO_FORMAT", ""}, {"IMGFLO_REDIRECT_MAX_AGE", "0"}}, {});
  ASSERT_TRUE(off.ok()) << off.error().message();
  EXPECT_TRUE(off->handler.auto_formats.empty());
  EXPECT_EQ(off->handler.redirect_max_age, 0s);
  auto flags = Config::load({{"IMGFLO_AUTO_FORMAT", ""}},
                            {"--auto-format", "webp,avif", "--redirect-max-age", "3600"});
  ASSERT_TRUE(flags.ok()) << flags.error().message();
  EXPECT_EQ(flags->handler.auto_formats, (std::vector<std::string>{"webp", "avif"}));
  EXPECT_EQ(flags->handler.redirect_max_age, 3600s);
}

TEST(NegotiationConfig, BadValuesAreReported) {
  auto bad = Config::load({{"IMGFLO_AUTO_FORMAT", "webp,png"}, {"IMGFLO_REDIRECT_MAX_AGE", "-1"}}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("IMGFLO_AUTO_FORMAT"), std::string::npos) << bad.error().message();
  EXPECT_NE(bad.error().message().find("\"png\""), std::string::npos) << bad.error().message();
  EXPECT_NE(bad.error().message().find("IMGFLO_REDIRECT_MAX_AGE"), std::string::npos) << bad.error().message();
}

}  // namespace
}  // namespace imgflo::app
