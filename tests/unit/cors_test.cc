// http::Cors: the settings' syntax, which headers each route's answers get for
// "*", a list and none, preflights, Vary merged with Accept, and what the hot
// path may keep. (Through the handler: handler_test.cc; over HTTP: tests/e2e/edge_test.cc.)
#include "http/cors.h"

#include <gtest/gtest.h>

#include <optional>

namespace imgflo::http {
namespace cors_test {

std::optional<std::string> header(const HttpResponse& r, const std::string& name) {
  std::optional<std::string> found;
  for (const auto& [k, v] : r.headers) {
    if (k == name) {
      EXPECT_FALSE(found.has_value()) << name << " twice";
      found = v;
    }
  }
  return found;
}

CorsOrigins origins(const std::string& text) {
  auto parsed = parse_cors_origins(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.error().message();
  return parsed.ok() ? *parsed : CorsOrigins{};
}

// CORS headers of an empty 200 to `path` from `origin` under `policy`.
HttpResponse answer(const CorsPolicy& policy, const std::string& path, const std::string& origin) {
  HttpResponse r;
  Cors(policy).add_headers(path, origin, r);
  return r;
}

const std::string kApp = "https://app.example.com";

TEST(CorsOrigins, SettingSyntax) {
  EXPECT_TRUE(origins("").none());
  EXPECT_TRUE(origins(" ").none());
  EXPECT_TRUE(origins("*").any);
  const CorsOrigins list = origins(" https://App.Example.com , http://localhost:3000/ ");
  EXPECT_EQ(list.origins, (std::vector<std::string>{"https://app.example.com", "http://localhost:3000"}));
  EXPECT_EQ(list.text(), "https://app.example.com,http://localhost:3000");
  for (const char* bad : {"*,https://a.example", "ftp://a.example", "https://a.example/path", "null", "a.example",
                          "https://a.example?x=1", "https://a.example:99999", "https://a.example,,https://b"}) {
    auto parsed = parse_cors_origins(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
  }
}

TEST(CorsOrigins, MatchingIsExactWithoutCase) {
  const CorsOrigins list = origins(kApp);
  EXPECT_TRUE(list.allows(kApp));
  EXPECT_TRUE(list.allows("HTTPS://APP.EXAMPLE.COM"));
  EXPECT_FALSE(list.allows("https://app.example.com.evil.example"));
  EXPECT_FALSE(list.allows("http://app.example.com"));
  EXPECT_FALSE(list.allows("https://app.example.com:8443"));
  EXPECT_FALSE(list.allows(""));
}

TEST(Cors, DefaultPublicRoutesAreOpenTheRestClosed) {
  const CorsPolicy defaults;
  for (const char* path : {"/graphs", "/version", "/openapi.json"}) {
    const HttpResponse r = answer(defaults, path, kApp);
    EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), "*") << path;
    EXPECT_FALSE(header(r, "Vary").has_value()) << path;
    EXPECT_EQ(header(answer(defaults, path, ""), "Access-Control-Allow-Origin"), "*") << "no Origin: " << path;
  }
  for (const char* path : {"/graph/gradientmap.png", "/cache/x", "/health", "/ready", "/metrics", "/"}) {
    EXPECT_TRUE(answer(defaults, path, kApp).headers.empty()) << path;
  }
}

TEST(Cors, AListEchoesAnAllowedOriginAndNeverADisallowedOne) {
  CorsPolicy policy;
  policy.other_routes = origins(kApp + ",http://localhost:3000");
  HttpResponse r = answer(policy, "/graph/gradientmap.png", kApp);
  EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), kApp);
  EXPECT_EQ(header(r, "Vary"), "Origin");
  EXPECT_EQ(header(r, "Access-Control-Expose-Headers"), "Location");
  EXPECT_FALSE(header(r, "Access-Control-Allow-Credentials").has_value());

  r = answer(policy, "/graph/gradientmap.png", "https://evil.example");
  EXPECT_FALSE(header(r, "Access-Control-Allow-Origin").has_value());
  EXPECT_EQ(header(r, "Vary"), "Origin") << "the answer still depends on the Origin";
  r = answer(policy, "/cache/x", "");
  EXPECT_FALSE(header(r, "Access-Control-Allow-Origin").has_value());
  EXPECT_EQ(header(r, "Vary"), "Origin");
  EXPECT_EQ(header(answer(policy, "/health", "http://localhost:3000"), "Access-Control-Allow-Origin"),
            "http://localhost:3000");
  EXPECT_FALSE(header(answer(policy, "/health", "http://localhost:3000"), "Access-Control-Expose-Headers").has_value())
      << "Location is exposed on graph routes only";
  EXPECT_EQ(header(answer(policy, "/graphs", "https://evil.example"), "Access-Control-Allow-Origin"), "*")
      << "the public routes keep their own setting";
}

TEST(Cors, AnyOriginOnGraphRoutesExposesLocation) {
  CorsPolicy policy;
  policy.other_routes = origins("*");
  const HttpResponse r = answer(policy, "/graph/gradientmap.png", kApp);
  EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(r, "Access-Control-Expose-Headers"), "Location");
  EXPECT_FALSE(header(r, "Vary").has_value());
}

TEST(Cors, VaryIsOneHeaderWithAccept) {
  CorsPolicy policy;
  policy.other_routes = origins(kApp);
  HttpResponse r;
  r.header("Vary", "Accept");
  Cors(policy).add_headers("/graph/gradientmap", kApp, r);
  EXPECT_EQ(header(r, "Vary"), "Accept, Origin");
  add_vary(r, "origin");
  EXPECT_EQ(header(r, "Vary"), "Accept, Origin") << "not added twice";
}

TEST(Cors, PreflightOfAnAllowedOrigin) {
  CorsPolicy policy;
  policy.other_routes = origins(kApp);
  const Cors cors(policy);
  HttpResponse r = cors.preflight("/graph/gradientmap.png", kApp, "GET, HEAD, POST");
  cors.add_headers("/graph/gradientmap.png", kApp, r);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(header(r, "Allow"), "GET, HEAD, POST, OPTIONS");
  EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), kApp);
  EXPECT_EQ(header(r, "Access-Control-Allow-Methods"), "GET, HEAD, POST, OPTIONS");
  EXPECT_EQ(header(r, "Access-Control-Allow-Headers"), "Accept, If-None-Match, X-Request-Id");
  EXPECT_EQ(header(r, "Access-Control-Max-Age"), "7200");
  EXPECT_TRUE(r.body.empty());
}

TEST(Cors, PreflightOfADisallowedOriginAllowsNothing) {
  CorsPolicy policy;
  policy.other_routes = origins(kApp);
  const Cors cors(policy);
  HttpResponse r = cors.preflight("/graph/gradientmap.png", "https://evil.example", "GET, HEAD, POST");
  cors.add_headers("/graph/gradientmap.png", "https://evil.example", r);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(header(r, "Allow"), "GET, HEAD, POST, OPTIONS");
  for (const char* name : {"Access-Control-Allow-Origin", "Access-Control-Allow-Methods",
                           "Access-Control-Allow-Headers", "Access-Control-Max-Age"}) {
    EXPECT_FALSE(header(r, name).has_value()) << name;
  }
}

TEST(Cors, OnlyAListMakesAnswersDependOnTheOrigin) {
  CorsPolicy policy;
  EXPECT_FALSE(Cors(policy).depends_on_origin("/graph/x"));
  policy.other_routes = origins("*");
  EXPECT_FALSE(Cors(policy).depends_on_origin("/graph/x"));
  policy.other_routes = origins(kApp);
  EXPECT_TRUE(Cors(policy).depends_on_origin("/graph/x"));
  EXPECT_FALSE(Cors(policy).depends_on_origin("/graphs"));
}

TEST(Cors, StaticHeadersNeverCarryAnOrigin) {
  CorsPolicy policy;
  policy.other_routes = origins(kApp);
  HttpResponse r;
  Cors(policy).add_static_headers("/graph/x", r);
  EXPECT_FALSE(header(r, "Access-Control-Allow-Origin").has_value());
  EXPECT_EQ(header(r, "Vary"), "Origin");
}

}  // namespace cors_test
}  // namespace imgflo::http
