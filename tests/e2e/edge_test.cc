// The service's edge over real HTTP (issue 13): /ready names each check and
// goes 503 when a dependency is unreachable while /health stays 200; a
// container id as HOSTNAME gives relative Locations (and a start-up warning),
// whatever the Host header says; CORS preflights and echoed origins, on the
// full path and on the hot path.
#include "e2e/e2e_util.h"
#include "support/service_env.h"

#include <gtest/gtest.h>

namespace imgflo::test {
namespace edge_e2e {

const std::string kCrop = "/graph/crop.png?input=files%2Fgridbear.jpg&x=";
const std::string kApp = "https://app.example.com";

HttpResult get_from(const ServerProcess& server, const std::string& path, const std::string& origin) {
  return http(server.url(path), {.headers = {"Origin: " + origin}});
}

TEST(EdgeReadiness, AnEmbeddedServerIsReadyAndNamesEveryCheck) {
  ServerProcess server("edge-ready");
  const HttpResult r = http_get(server.url("/ready"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto json = r.json();
  EXPECT_EQ(json["status"], "ready");
  for (const char* name : {"event_loop", "accepting", "jobs", "cache_index", "storage"}) {
    EXPECT_EQ(json["checks"][name]["ok"], true) << name << ": " << r.body;
    EXPECT_TRUE(json["checks"][name]["ms"].is_number()) << name;
  }
  EXPECT_EQ(r.header("cache-control"), "no-store");
  EXPECT_EQ(http_get(server.url("/health")).status, 200);
}

TEST(EdgeReadiness, AnUnreachableRedisIs503NamingTheIndex) {
  const std::string redis = "redis://127.0.0.1:" + std::to_string(closed_port());
  ServerProcess server("edge-ready-redis", {{"IMGFLO_CACHE", "redis-local"}, {"IMGFLO_REDIS_URL", redis}});
  const HttpResult r = http_get(server.url("/ready"));
  ASSERT_EQ(r.status, 503) << r.body;
  const auto json = r.json();
  EXPECT_EQ(json["status"], "not ready");
  EXPECT_EQ(json["checks"]["cache_index"]["ok"], false) << r.body;
  EXPECT_EQ(json["checks"]["cache_index"]["error"], "unavailable") << r.body;
  EXPECT_EQ(json["checks"]["storage"]["ok"], true) << r.body;
  EXPECT_EQ(r.body.find("127.0.0.1"), std::string::npos) << "addresses stay in the log";
  EXPECT_LT(r.seconds, 1.0);
  EXPECT_EQ(http_get(server.url("/health")).status, 200) << "the process itself is alive";
  EXPECT_NE(server.log().find("readiness: cache_index failed"), std::string::npos) << server.log();
}

TEST(EdgePublicUrl, AContainerIdHostnameGivesRelativeLocations) {
  ServerProcess server("edge-container-host", {{"HOSTNAME", "4f2a9c1d7e3b"}});
  const HttpResult r = http(server.url(kCrop + "1"), {.headers = {"Host: evil.example"}});
  ASSERT_EQ(r.status, 301) << r.body;
  EXPECT_TRUE(r.header("location").starts_with("/cache/")) << r.header("location");
  const HttpResult again = http(server.url(kCrop + "1"), {.headers = {"Host: other.example"}});  // the hot path
  EXPECT_EQ(again.header("location"), r.header("location"));
  const HttpResult post = http(server.url(kCrop + "2"), {.method = "POST", .headers = {"Host: evil.example"}});
  EXPECT_EQ(post.status, 202);
  EXPECT_TRUE(post.header("location").starts_with("/cache/")) << post.header("location");
  EXPECT_NE(server.log().find("is a container id"), std::string::npos) << server.log();
}

TEST(EdgePublicUrl, ThePublicUrlIsTheBase) {
  ServerProcess server("edge-public-url",
                       {{"HOSTNAME", "4f2a9c1d7e3b"}, {"IMGFLO_PUBLIC_URL", "https://img.example.com/"}});
  const HttpResult r = http(server.url(kCrop + "1"), {.headers = {"Host: evil.example"}});
  ASSERT_EQ(r.status, 301) << r.body;
  EXPECT_TRUE(r.header("location").starts_with("https://img.example.com/cache/")) << r.header("location");
  EXPECT_EQ(server.log().find("container id"), std::string::npos) << server.log();
}

TEST(EdgeCors, PreflightsAndOriginsOverHttp) {
  ServerProcess server("edge-cors", {{"IMGFLO_CORS_ORIGINS", kApp}});
  HttpResult r = http(server.url(kCrop + "1"), {.method = "OPTIONS",
                                                .headers = {"Origin: " + kApp, "Access-Control-Request-Method: GET",
                                                            "Access-Control-Request-Headers: x-request-id"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("access-control-allow-origin"), kApp);
  EXPECT_EQ(r.header("access-control-allow-methods"), "GET, HEAD, POST, OPTIONS");
  EXPECT_NE(r.header("access-control-allow-headers").find("X-Request-Id"), std::string::npos);
  EXPECT_EQ(r.header("access-control-max-age"), "7200");
  EXPECT_EQ(r.header("vary"), "Origin");

  EXPECT_EQ(get_from(server, "/graphs", "https://other.example").header("access-control-allow-origin"), "*");

  for (int i = 0; i < 2; ++i) {  // processed, then stored (the second may be a hot-path candidate)
    r = get_from(server, kCrop + "1", kApp);
    ASSERT_EQ(r.status, 301) << r.body;
    EXPECT_EQ(r.header("access-control-allow-origin"), kApp) << i;
    EXPECT_EQ(r.header("access-control-expose-headers"), "Location") << i;
    EXPECT_EQ(r.header("vary"), "Origin") << i;
  }
  r = http_get(server.url(kCrop + "1"));  // no Origin: the hot path's prepared answer
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
  EXPECT_EQ(r.header("vary"), "Origin");
  r = get_from(server, kCrop + "1", "https://evil.example");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.header("access-control-allow-origin"), "") << "a disallowed origin is never echoed";
}

}  // namespace edge_e2e
}  // namespace imgflo::test
