// The URL contract: parsing, the original's cache key, the 422 rule, tokens.
#include "request/auth.h"
#include "request/graph_request.h"

#include <gtest/gtest.h>

namespace imgflo::request {
namespace {

TEST(GraphRequest, CacheKeyMatchesTheOriginalsTestVector) {
  auto r = parse_graph_request("/graph/crop?height=110&width=130&x=200&y=230&input=files%2Fgrid-toastybob.jpg");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cache_key, "b5774b2bd2c5c94535432dec55a205a712bc5326.jpg");
  // The extension is outside the hash: crop, crop.jpg and crop.jpeg share the key.
  for (const char* spec : {"crop.jpg", "crop.jpeg"}) {
    auto other = parse_graph_request(std::string("/graph/") + spec +
                                     "?height=110&width=130&x=200&y=230&input=files%2Fgrid-toastybob.jpg");
    EXPECT_EQ(other->cache_key, r->cache_key) << spec;
  }
  // Key and token are not part of the key.
  auto signed_form = parse_graph_request(
      "/graph/K/T/crop?height=110&width=130&x=200&y=230&input=files%2Fgrid-toastybob.jpg");
  EXPECT_EQ(signed_form->cache_key, r->cache_key);
  EXPECT_EQ(*signed_form->apikey, "K");
  EXPECT_EQ(*signed_form->token, "T");
}

TEST(GraphRequest, SplitsNameTypeParamsAndInput) {
  auto r = parse_graph_request("/graph/gradientmap.png?input=files%2Fa.jpg&color1=%23082A31&stop1=0&_nocache=true");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->graph, "gradientmap");
  EXPECT_EQ(r->graphspec, "gradientmap.png");
  EXPECT_EQ(r->out_type, "png");
  EXPECT_EQ(*r->input, "files/a.jpg");
  EXPECT_TRUE(r->nocache);
  ASSERT_EQ(r->params.size(), 2u);
  EXPECT_EQ(r->params[0], (std::pair<std::string, std::string>{"color1", "#082A31"}));
  EXPECT_EQ(r->search, "?input=files%2Fa.jpg&color1=%23082A31&stop1=0&_nocache=true");
  EXPECT_FALSE(r->apikey.has_value());
}

TEST(GraphRequest, OutputTypeRules) {
  EXPECT_EQ(parse_graph_request("/graph/crop")->out_type, "jpg");
  EXPECT_EQ(parse_graph_request("/graph/crop.jpeg")->out_type, "jpg");
  EXPECT_EQ(parse_graph_request("/graph/crop.JPG")->out_type, "JPG");
  EXPECT_EQ(parse_graph_request("/graph/noop?input=x")->out_type, "");
  EXPECT_EQ(parse_graph_request("/graph/noop?input=x")->cache_key.size(), 40u);  // no extension
  auto dotted = parse_graph_request("/graph/a.tar.gz");
  EXPECT_EQ(dotted->graph, "a.tar");
  EXPECT_EQ(dotted->out_type, "gz");
}

TEST(GraphRequest, OnlyTheTwoPathShapesAreRoutes) {
  for (const char* t : {"/graph", "/graph/a/b", "/graph/a/b/c/d", "/graphs/x", "/graph/"}) {
    auto r = parse_graph_request(t);
    ASSERT_FALSE(r.ok()) << t;
    EXPECT_EQ(r.error().status(), 404) << t;
  }
  EXPECT_FALSE(parse_graph_request("graph/x").ok());
}

TEST(GraphRequest, NodeEscapingFeedsTheKey) {
  // Node's url.parse escaped a raw quote and space in the query before hashing.
  auto raw = parse_graph_request("/graph/passthrough?ignored=it's a");
  auto escaped = parse_graph_request("/graph/passthrough?ignored=it%27s%20a");
  EXPECT_EQ(raw->search, "?ignored=it%27s%20a");
  EXPECT_EQ(raw->cache_key, escaped->cache_key);
  EXPECT_EQ(raw->params[0].second, "it's a");
}

TEST(SizeLimit, TheOriginalsRule) {
  auto check = [](const std::string& q) { return check_requested_size(*parse_graph_request("/graph/crop" + q), 25).ok(); };
  EXPECT_TRUE(check(""));
  EXPECT_TRUE(check("?width=4000&height=4000"));
  EXPECT_FALSE(check("?height=30000&width=1000"));
  EXPECT_FALSE(check("?height=5100"));  // 5100 x 4999 > 25e6
  EXPECT_TRUE(check("?height=5000"));   // 5000 x 4999 < 25e6
  EXPECT_FALSE(check("?width=abc"));    // NaN
  EXPECT_TRUE(check("?width=-1"));
  EXPECT_TRUE(check("?width=0x10&height=10"));
  EXPECT_FALSE(check("?width=10px"));
  auto e = check_requested_size(*parse_graph_request("/graph/crop?height=5100"), 25);
  EXPECT_EQ(e.error().status(), 422);
}

TEST(SizeLimit, ASideThatIsNotANumberIsA400NamingIt) {
  for (const char* q : {"?width=abc", "?height=10px&width=10", "?width=5000&height=x"}) {
    auto e = check_requested_size(*parse_graph_request(std::string("/graph/crop") + q), 25);
    ASSERT_FALSE(e.ok()) << q;
    EXPECT_EQ(e.error().status(), 400) << q;
    EXPECT_EQ(e.error().details()["allowed"], "number") << q;
  }
  auto e = check_requested_size(*parse_graph_request("/graph/crop?width=abc"), 25);
  EXPECT_EQ(e.error().details()["parameter"], "width");
  EXPECT_EQ(e.error().details()["value"], "abc");
}

TEST(SizeLimit, FreeSidesCountAsMissingNotAsZero) {
  // The original's bypass: a side <= 0 made the product small while the
  // rescale ignored it and kept the aspect ratio from the huge other side.
  auto check = [](const std::string& q) { return check_requested_size(*parse_graph_request("/graph/crop" + q), 25).ok(); };
  for (const char* free : {"0", "-1", "%20", "0.5", "", "-Infinity"}) {
    EXPECT_FALSE(check(std::string("?width=1000000&height=") + free)) << free;
    EXPECT_FALSE(check(std::string("?height=1000000&width=") + free)) << free;
    EXPECT_TRUE(check(std::string("?width=4000&height=") + free)) << free;  // 4000 x 4999 < 25e6
  }
  EXPECT_FALSE(check("?width=-1&height=6000"));  // the original allowed it (negative product)
  EXPECT_FALSE(check("?width=Infinity"));
  EXPECT_FALSE(check("?width=1e9"));
  EXPECT_FALSE(check("?width=0x7fffffff"));
  EXPECT_TRUE(check("?width=-1&height=-1"));  // both free: dim x dim
}

TEST(Auth, OffWithoutApps) {
  Authenticator auth({});
  EXPECT_FALSE(auth.enabled());
  EXPECT_TRUE(auth.check(*parse_graph_request("/graph/crop?x=1")).ok());
}

TEST(Auth, TokensMd5AndHmac) {
  Authenticator auth({{"appkey", "appsecret", false}, {"admin", "adminsecret", true}});
  const std::string md5 = Authenticator::md5_token("crop.jpg", "?x=1", "appsecret");
  EXPECT_EQ(md5.size(), 32u);
  EXPECT_TRUE(auth.check(*parse_graph_request("/graph/appkey/" + md5 + "/crop.jpg?x=1")).ok());
  const std::string hmac = Authenticator::hmac_token("crop.jpg", "?x=1", "appsecret");
  EXPECT_EQ(hmac.size(), 64u);
  EXPECT_TRUE(auth.check(*parse_graph_request("/graph/appkey/" + hmac + "/crop.jpg?x=1")).ok());
  // The token covers the extension and the query.
  EXPECT_FALSE(auth.check(*parse_graph_request("/graph/appkey/" + md5 + "/crop.png?x=1")).ok());
  EXPECT_FALSE(auth.check(*parse_graph_request("/graph/appkey/" + md5 + "/crop.jpg?x=2")).ok());
  EXPECT_FALSE(auth.check(*parse_graph_request("/graph/other/" + md5 + "/crop.jpg?x=1")).ok());
  EXPECT_EQ(auth.check(*parse_graph_request("/graph/crop.jpg?x=1")).error().status(), 403);
}

TEST(Auth, NocacheNeedsAdmin) {
  Authenticator auth({{"appkey", "appsecret", false}, {"admin", "adminsecret", true}});
  const std::string q = "?x=1&_nocache=true";
  EXPECT_FALSE(auth.check(*parse_graph_request("/graph/appkey/" + Authenticator::md5_token("crop", q, "appsecret") +
                                               "/crop" + q))
                   .ok());
  EXPECT_TRUE(auth.check(*parse_graph_request("/graph/admin/" + Authenticator::md5_token("crop", q, "adminsecret") +
                                              "/crop" + q))
                  .ok());
}

}  // namespace
}  // namespace imgflo::request
