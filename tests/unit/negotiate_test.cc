// Accept negotiation for requests without extension (request/negotiate.h):
// the header parser, the choice, the setting and the cache key it leads to.
#include "request/negotiate.h"
#include "support/browser_accept.h"

#include <gtest/gtest.h>

#include <random>

namespace imgflo::request {
namespace {

const std::string& kChrome = test::kChromeAccept;
const std::string& kSafari = test::kSafariAccept;
const std::string& kFirefox = test::kFirefoxAccept;
const std::string& kFirefoxOld = test::kFirefoxOldAccept;
const std::string kCropQuery = "?height=110&width=130&x=200&y=230&input=files%2Fgrid-toastybob.jpg";

Negotiation policy(std::vector<std::string> candidates, bool alpha = false) { return {std::move(candidates), alpha}; }

const Negotiation kDefault = policy({"avif", "webp"});

TEST(AcceptWeight, ReadsQValuesAndParameters) {
  EXPECT_EQ(accept_weight("image/webp", "image/webp"), 1000);
  EXPECT_EQ(accept_weight("image/webp;q=0.5", "image/webp"), 500);
  EXPECT_EQ(accept_weight(" image/webp ; Q=0.25 ,x/y", "image/webp"), 250);
  EXPECT_EQ(accept_weight("image/webp;level=1;q=0.7", "image/webp"), 700);
  EXPECT_EQ(accept_weight("image/webp;q=0.001", "image/webp"), 1);
  EXPECT_EQ(accept_weight("image/webp;q=1.", "image/webp"), 1000);
  EXPECT_EQ(accept_weight("image/webp;q=1.000", "image/webp"), 1000);
  EXPECT_EQ(accept_weight("image/webp;q=0", "image/webp"), 0);
  EXPECT_EQ(accept_weight("IMAGE/WebP", "image/webp"), 1000);
  EXPECT_EQ(accept_weight(kChrome, "image/avif"), 1000);
  EXPECT_EQ(accept_weight(kChrome, "image/jpeg"), -1);
}

TEST(AcceptWeight, WildcardsNeverNameAType) {
  for (const char* accept : {"*/*", "image/*", "image/*;q=1, */*;q=1", "*/webp", "image/webp*"}) {
    EXPECT_EQ(accept_weight(accept, "image/webp"), -1) << accept;
  }
}

TEST(AcceptWeight, MalformedElementsAreSkippedNotTheHeader) {
  // Each bad element is ignored; the good one after it still counts.
  for (const char* bad : {"image/webp;q=2", "image/webp;q=1.001", "image/webp;q=0.1234", "image/webp;q=abc",
                          "image/webp;q=", "image/webp;q", "image/webp;=1", "image/ webp", "image/webp x",
                          "image/webp;q=\"0.5\"", "image/webp;;q=1", "image/", "/webp", "image/webp;q=-1",
                          "image/webp;q=.5"}) {
    EXPECT_EQ(accept_weight(std::string(bad), "image/webp"), -1) << bad;
    EXPECT_EQ(accept_weight(std::string(bad) + ",image/avif;q=0.3", "image/avif"), 300) << bad;
  }
  // A comma inside a quoted string does not end the element; an unterminated one runs to the end.
  EXPECT_EQ(accept_weight("image/avif;x=\"open,image/webp", "image/webp"), -1);
  EXPECT_EQ(accept_weight("image/avif;x=\"open,image/webp", "image/avif"), -1);
  EXPECT_EQ(accept_weight("text/html;x=\"a,image/webp\",image/avif", "image/webp"), -1);
  EXPECT_EQ(accept_weight("text/html;x=\"a,\\\"image/webp\",image/avif", "image/avif"), 1000);
  EXPECT_EQ(accept_weight(",,  ,image/webp,,", "image/webp"), 1000);
}

TEST(AcceptWeight, TheFirstElementNamingATypeCounts) {
  EXPECT_EQ(accept_weight("image/webp;q=0,image/webp", "image/webp"), 0);
  EXPECT_EQ(accept_weight("image/webp;q=bad,image/webp;q=0.4", "image/webp"), 400);
}

TEST(AcceptWeight, OverlongHeadersAreTreatedAsAbsent) {
  std::string accept = "image/webp";
  accept.resize(kMaxAcceptLength, ' ');
  EXPECT_EQ(accept_weight(accept, "image/webp"), 1000);
  accept += ' ';
  EXPECT_EQ(accept_weight(accept, "image/webp"), -1);
  EXPECT_EQ(negotiate(accept, kDefault), "jpg");
}

TEST(AcceptWeight, SurvivesArbitraryBytes) {
  std::mt19937 rng(11);
  const std::string alphabet = "image/webpavif*;q=0.1,\" \t\\x\x01\xff";
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 64, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    const int w = accept_weight(s, "image/webp");
    ASSERT_TRUE(w >= -1 && w <= 1000) << s;
    const std::string_view t = negotiate(s, policy({"avif", "webp"}, true));
    ASSERT_TRUE(t == "jpg" || t == "png" || t == "avif" || t == "webp") << s;
  }
}

TEST(Negotiate, BrowsersGetTheFirstModernTypeTheSettingPrefers) {
  for (const auto& accept : {kChrome, kSafari, kFirefox, kFirefoxOld}) {
    EXPECT_EQ(negotiate(accept, kDefault), "avif") << accept;
    EXPECT_EQ(negotiate(accept, policy({"webp"})), "webp") << accept;
    EXPECT_EQ(negotiate(accept, policy({"webp", "avif"})), "webp") << accept;
  }
  EXPECT_EQ(negotiate(kSafari, policy({"jxl", "avif", "webp"})), "jxl");
  EXPECT_EQ(negotiate(kChrome, policy({"jxl", "avif", "webp"})), "avif");
}

TEST(Negotiate, ClientsThatDoNotNameAModernTypeKeepJpeg) {
  for (const char* accept : {"", "*/*", "image/*", "image/*,*/*;q=0.8", "image/png,image/jpeg", "text/html",
                             "image/apng", "garbage;;;"}) {
    EXPECT_EQ(negotiate(accept, kDefault), "jpg") << accept;
    EXPECT_EQ(negotiate(accept, policy({"avif", "webp"}, true)), "jpg") << accept << " (alpha, not negotiated)";
  }
  // Chrome names image/avif, but a graph that cannot write it does not negotiate on it.
  EXPECT_EQ(negotiate("image/avif,*/*", policy({"webp"})), "jpg");
  EXPECT_EQ(negotiate(kChrome, policy({})), "jpg");
}

TEST(Negotiate, QValuesDecide) {
  EXPECT_EQ(negotiate("image/avif;q=0.8,image/webp;q=0.9", kDefault), "webp");
  EXPECT_EQ(negotiate("image/avif;q=0.5,image/webp;q=0.5", kDefault), "avif") << "ties go by the setting's order";
  EXPECT_EQ(negotiate("image/avif;q=0.5,image/webp;q=0.5", policy({"webp", "avif"})), "webp");
  EXPECT_EQ(negotiate("image/avif;q=0,image/webp", kDefault), "webp");
  EXPECT_EQ(negotiate("image/avif;q=0,*/*", kDefault), "jpg");
  // The fallback's own type with a strictly higher q wins; on a tie the modern type does.
  EXPECT_EQ(negotiate("image/jpeg,image/webp;q=0.5", kDefault), "jpg");
  EXPECT_EQ(negotiate("image/jpeg;q=0.5,image/webp;q=0.5", kDefault), "webp");
  EXPECT_EQ(negotiate("image/png,image/webp;q=0.5", policy({"webp"}, true)), "png");
  EXPECT_EQ(negotiate("image/png,image/webp;q=0.5", policy({"webp"})), "webp") << "png is no fallback without alpha";
}

TEST(Negotiate, RefusedModernTypesFallBackToPngWhenTheResultMayHaveAlpha) {
  for (const char* accept : {"image/avif;q=0,image/webp;q=0", "image/webp;q=0,*/*", "image/avif;q=0"}) {
    EXPECT_EQ(negotiate(accept, kDefault), "jpg") << accept;
    EXPECT_EQ(negotiate(accept, policy({"avif", "webp"}, true)), "png") << accept;
  }
}

TEST(AutoFormats, ParsesTheSetting) {
  EXPECT_EQ(*parse_auto_formats("avif,webp"), (std::vector<std::string>{"avif", "webp"}));
  EXPECT_EQ(*parse_auto_formats(" webp , jxl "), (std::vector<std::string>{"webp", "jxl"}));
  EXPECT_TRUE(parse_auto_formats("")->empty());
  EXPECT_TRUE(parse_auto_formats("  ")->empty());
  for (const char* bad : {"png", "jpg", "webp,webp", "avif,", ",webp", "AVIF", "avif;webp", "gif"}) {
    auto r = parse_auto_formats(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidArgument);
  }
}

TEST(AutoFormats, AGraphNegotiatesAmongTheTypesItWrites) {
  const std::vector<std::string> setting = {"avif", "webp", "jxl"};
  const Negotiation n = negotiation_for(setting, {"jpg", "png", "webp", "avif"}, true);
  EXPECT_EQ(n.candidates, (std::vector<std::string>{"avif", "webp"}));
  EXPECT_TRUE(n.alpha);
  EXPECT_TRUE(n.varies());
  EXPECT_FALSE(negotiation_for(setting, {"jpg", "png"}, false).varies());
  EXPECT_FALSE(negotiation_for({}, {"jpg", "png", "webp"}, false).varies());
}

TEST(NegotiateOutputType, ChangesTypeAndKeyOnlyForRequestsWithoutExtension) {
  const Negotiation webp = policy({"webp"});
  auto plain = parse_graph_request("/graph/crop" + kCropQuery);
  ASSERT_TRUE(plain.ok());
  negotiate_output_type(*plain, "*/*", webp);
  EXPECT_EQ(plain->out_type, "jpg");
  EXPECT_EQ(plain->cache_key, "b5774b2bd2c5c94535432dec55a205a712bc5326.jpg") << "the original's key vector";
  EXPECT_TRUE(plain->varies_with_accept);

  auto browser = parse_graph_request("/graph/crop" + kCropQuery);
  negotiate_output_type(*browser, kChrome, webp);
  EXPECT_EQ(browser->out_type, "webp");
  EXPECT_EQ(browser->cache_key, "b5774b2bd2c5c94535432dec55a205a712bc5326.webp");
  EXPECT_EQ(browser->cache_key, parse_graph_request("/graph/crop.webp" + kCropQuery)->cache_key);

  for (const char* spec : {"crop.jpg", "crop.jpeg", "crop.png", "noop"}) {
    auto explicit_type = parse_graph_request(std::string("/graph/") + spec + kCropQuery);
    const GraphRequest before = *explicit_type;
    negotiate_output_type(*explicit_type, kChrome, webp);
    EXPECT_EQ(explicit_type->out_type, before.out_type) << spec;
    EXPECT_EQ(explicit_type->cache_key, before.cache_key) << spec;
    EXPECT_FALSE(explicit_type->varies_with_accept) << spec;
  }

  auto off = parse_graph_request("/graph/crop" + kCropQuery);
  negotiate_output_type(*off, kChrome, policy({}));
  EXPECT_EQ(off->cache_key, "b5774b2bd2c5c94535432dec55a205a712bc5326.jpg");
  EXPECT_FALSE(off->varies_with_accept) << "negotiation off: no Vary";
}

}  // namespace
}  // namespace imgflo::request
