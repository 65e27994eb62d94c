// request/signed_url.h: the URLs clients build parse back to the same
// parameters and pass the server's Authenticator (md5 and HMAC tokens).
#include "request/auth.h"
#include "request/graph_request.h"
#include "request/signed_url.h"

#include <gtest/gtest.h>

namespace imgflo::request {
namespace {

// The path and query of `url` after `server`.
std::string target_of(const std::string& url, const std::string& server) {
  EXPECT_EQ(url.rfind(server, 0), 0u) << url;
  return url.substr(server.size());
}

TEST(SignedUrl, QueryIsSortedByNameAndEncodedLikeEncodeUriComponent) {
  const Params params = {{"width", "100"}, {"input", "http://x.example/a b.jpg?q=1&r=2"}, {"color1", "#0A2A2F"}};
  EXPECT_EQ(client_search(params), "?color1=%230A2A2F&input=http%3A%2F%2Fx.example%2Fa%20b.jpg%3Fq%3D1%26r%3D2&width=100");
  EXPECT_EQ(client_search({}), "");
  // Repeated names keep their order.
  EXPECT_EQ(client_search({{"b", "2"}, {"a", "1"}, {"b", "1"}}), "?a=1&b=2&b=1");
}

TEST(SignedUrl, UnsignedUrlHasNoCredentials) {
  EXPECT_EQ(graph_url("http://h:1/", "crop.png", {{"x", "1"}}, std::nullopt), "http://h:1/graph/crop.png?x=1");
  EXPECT_EQ(graph_url("", "crop", {}, std::nullopt), "/graph/crop");
}

TEST(SignedUrl, TheServersAuthenticatorAcceptsBothTokens) {
  const Authenticator auth({App{"k3y", "s3cret", false}});
  const Params params = {{"input", "files/gridbear.jpg"},
                         {"label", "it's \"quoted\" & 50% + #1 / ? = \xE2\x82\xAC"},
                         {"color1", "#FDE7A0"}};
  for (bool hmac : {false, true}) {
    const std::string url = graph_url("http://h", "gradientmap.png", params, Credentials{"k3y", "s3cret", hmac});
    auto parsed = parse_graph_request(target_of(url, "http://h"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    EXPECT_TRUE(auth.check(*parsed).ok()) << url;
    EXPECT_EQ(*parsed->input, "files/gridbear.jpg");
    EXPECT_EQ(parsed->params, (Params{{"color1", "#FDE7A0"}, {"label", params[1].second}}));
    EXPECT_EQ(parsed->token->size(), hmac ? 64u : 32u);
    // A wrong secret is refused.
    const std::string forged = graph_url("http://h", "gradientmap.png", params, Credentials{"k3y", "other", hmac});
    EXPECT_FALSE(auth.check(*parse_graph_request(target_of(forged, "http://h"))).ok());
  }
}

TEST(SignedUrl, Md5TokenIsTheOriginalsOverGraphspecAndQuery) {
  const std::string url = graph_url("", "crop.jpg", {{"x", "1"}}, Credentials{"K", "S", false});
  EXPECT_EQ(url, "/graph/K/" + Authenticator::md5_token("crop.jpg", "?x=1", "S") + "/crop.jpg?x=1");
}

}  // namespace
}  // namespace imgflo::request
