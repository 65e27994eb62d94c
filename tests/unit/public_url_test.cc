// The base of local results' Locations (http/public_url.h): host[:port] and
// container id shapes, IMGFLO_PUBLIC_URL's validation, the HOSTNAME rule as
// app::Config applies it (with its start-up warning), and the CORS settings'
// parsing there. (A container HOSTNAME over HTTP: tests/e2e/edge_test.cc.)
#include "app/config.h"
#include "http/public_url.h"

#include <gtest/gtest.h>

namespace imgflo::http {
namespace public_url_test {

TEST(PublicUrl, HostPortShapes) {
  for (const char* ok : {"img.example.com", "img.example.com:8080", "localhost", "10.0.0.1:80", "a-b.example",
                         "imgflo-7d9c5-x2k4p", "x:65535"}) {
    EXPECT_TRUE(is_host_port(ok)) << ok;
  }
  for (const char* bad : {"", "a..b", "-a.example", "a-.example", "a.example:", "a.example:0", "a.example:65536",
                          "a.example:80:80", "a_b.example", "http://a.example", "[::1]:80", "a.example/x", "a b",
                          "user@a.example"}) {
    EXPECT_FALSE(is_host_port(bad)) << bad;
  }
  EXPECT_FALSE(is_host_port(std::string(64, 'a'))) << "a label has at most 63 characters";
}

TEST(PublicUrl, ContainerIds) {
  EXPECT_TRUE(is_container_id("4f2a9c1d7e3b"));
  EXPECT_TRUE(is_container_id(std::string(64, 'e')));
  EXPECT_FALSE(is_container_id("4F2A9C1D7E3B")) << "Docker's ids are lower case";
  EXPECT_FALSE(is_container_id("4f2a9c1d7e3"));
  EXPECT_FALSE(is_container_id("4f2a9c1d7e3bc"));
  EXPECT_FALSE(is_container_id("4f2a9c1d7e3g"));
  EXPECT_FALSE(is_container_id("img-example1"));
}

TEST(PublicUrl, HostnameRule) {
  EXPECT_EQ(base_from_hostname("img.example.com"), "http://img.example.com");
  EXPECT_EQ(base_from_hostname("img.example.com:8080"), "http://img.example.com:8080");
  EXPECT_FALSE(base_from_hostname("4f2a9c1d7e3b").has_value());
  EXPECT_FALSE(base_from_hostname("4f2a9c1d7e3b:8080").has_value());
  EXPECT_FALSE(base_from_hostname(std::string(64, 'a')).has_value());
  EXPECT_FALSE(base_from_hostname("").has_value());
  EXPECT_FALSE(base_from_hostname("evil.example/x?y").has_value());
}

TEST(PublicUrl, Validation) {
  EXPECT_EQ(*parse_public_url("https://img.example.com"), "https://img.example.com");
  EXPECT_EQ(*parse_public_url("http://img.example.com:8080/"), "http://img.example.com:8080");
  EXPECT_EQ(*parse_public_url("https://example.com/img/"), "https://example.com/img");
  for (const char* bad : {"img.example.com", "ftp://img.example.com", "https://img.example.com?a=1",
                          "https://img.example.com/#top", "https://user:pw@img.example.com", "https://", "https:///x",
                          "https://img example.com", "https://a_b.example", "https://img.example.com:0"}) {
    auto parsed = parse_public_url(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().kind(), ErrorKind::kInvalidArgument);
  }
}

Result<app::Config> load(const std::map<std::string, std::string>& env) { return app::Config::load(env, {}); }

bool warns(const app::Config& c, const std::string& part) {
  for (const auto& w : c.warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(PublicUrlConfig, AContainerIdHostnameGivesRelativeLocationsAndAWarning) {
  auto c = load({{"HOSTNAME", "4f2a9c1d7e3b"}});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->handler.public_base, "");
  EXPECT_TRUE(warns(*c, "HOSTNAME '4f2a9c1d7e3b' is a container id")) << testing::PrintToString(c->warnings);
  EXPECT_TRUE(warns(*c, "IMGFLO_PUBLIC_URL"));
  c = load({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->handler.public_base, "");
  EXPECT_TRUE(warns(*c, "HOSTNAME is not set"));
}

TEST(PublicUrlConfig, AHostNameIsUsedAsTheOriginalDid) {
  auto c = load({{"HOSTNAME", "img.example.com:8080"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->handler.public_base, "http://img.example.com:8080");
  EXPECT_TRUE(c->warnings.empty()) << testing::PrintToString(c->warnings);
}

TEST(PublicUrlConfig, ThePublicUrlWinsAndIsValidated) {
  auto c = load({{"HOSTNAME", "img.example.com"}, {"IMGFLO_PUBLIC_URL", "https://cdn.example.com/img/"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->handler.public_base, "https://cdn.example.com/img");
  c = load({{"HOSTNAME", "4f2a9c1d7e3b"}, {"IMGFLO_PUBLIC_URL", "https://img.example.com"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->handler.public_base, "https://img.example.com");
  EXPECT_TRUE(c->warnings.empty());
  c = load({{"IMGFLO_PUBLIC_URL", "https://img.example.com?x=1"}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("IMGFLO_PUBLIC_URL"), std::string::npos) << c.error().message();
}

TEST(PublicUrlConfig, ResultsInS3NeedNoBase) {
  auto c = load({{"HOSTNAME", "4f2a9c1d7e3b"},
                 {"IMGFLO_CACHE", "s3"},
                 {"AMAZON_API_ID", "AKIDEXAMPLE"},
                 {"AMAZON_API_TOKEN", "secret"},
                 {"AMAZON_API_BUCKET", "imgflo-test"}});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_TRUE(c->warnings.empty()) << "S3 locations are absolute: " << testing::PrintToString(c->warnings);
}

TEST(CorsConfig, DefaultsAndSettings) {
  auto c = load({});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->handler.cors.public_routes.any);
  EXPECT_TRUE(c->handler.cors.other_routes.none());
  c = load({{"IMGFLO_CORS_ORIGINS", "https://app.example.com,http://localhost:3000"},
            {"IMGFLO_CORS_PUBLIC_ORIGINS", ""}});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->handler.cors.other_routes.text(), "https://app.example.com,http://localhost:3000");
  EXPECT_TRUE(c->handler.cors.public_routes.none());
  c = app::Config::load({}, {"--cors-origins", "*"});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->handler.cors.other_routes.any);
  c = load({{"IMGFLO_CORS_ORIGINS", "https://app.example.com/path"}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("IMGFLO_CORS_ORIGINS"), std::string::npos) << c.error().message();
  const std::string help = app::Config::help(app::Config::Program::server);
  EXPECT_NE(help.find("IMGFLO_CORS_PUBLIC_ORIGINS"), std::string::npos);
}

}  // namespace public_url_test
}  // namespace imgflo::http
