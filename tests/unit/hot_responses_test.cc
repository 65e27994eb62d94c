// The hot-path table of prepared 301 answers.
#include "http/hot_responses.h"

#include "core/clock.h"
#include "http/redirect.h"
#include "support/browser_accept.h"

#include <gtest/gtest.h>

namespace imgflo::http {
namespace {

using namespace std::chrono_literals;

HttpResponse to(const std::string& location) { return stored_redirect(location, 86400s, false); }

TEST(HotResponses, RemembersPerHostAndTarget) {
  HotResponses hot;
  EXPECT_EQ(hot.find("/graph/a?x=1"), nullptr);
  hot.remember("/graph/a?x=1", to("http://h:1/cache/k.png"));
  auto r = hot.find("/graph/a?x=1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(*r,
            "HTTP/1.1 301 Moved Permanently\r\nServer: imgflo-server\r\nLocation: http://h:1/cache/k.png\r\n"
            "Cache-Control: public, max-age=86400\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(hot.find("/graph/a?x=1", "image/webp"), r) << "a plain answer does not depend on Accept";
  EXPECT_EQ(hot.find("/graph/a?x=2"), nullptr);
}

TEST(HotResponses, EntriesExpireAfterTheirTtl) {
  ManualClock clock;
  HotResponses hot(std::chrono::milliseconds(30), 16384, clock);
  hot.remember("/t", to("http://h/cache/k"));
  clock.advance(std::chrono::milliseconds(29));
  EXPECT_NE(hot.find("/t"), nullptr) << "expired before its ttl";
  clock.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(hot.find("/t"), nullptr) << "still served at its ttl";
  hot.remember("/t", to("http://h/cache/k2"));
  ASSERT_NE(hot.find("/t"), nullptr) << "a fresh answer after expiry";
  EXPECT_NE(hot.find("/t")->find("k2"), std::string::npos);
}

TEST(HotResponses, Bounded) {
  HotResponses hot(std::chrono::seconds(60), 32);  // 2 per shard
  for (int i = 0; i < 1000; ++i) hot.remember("/t" + std::to_string(i), to("u"));
  int present = 0;
  for (int i = 0; i < 1000; ++i) present += hot.find("/t" + std::to_string(i)) != nullptr;
  EXPECT_LE(present, 32);
  EXPECT_GT(present, 0);
}

TEST(HotResponses, NegotiatedAnswersAreServedPerNegotiatedType) {
  const std::string& chrome = test::kChromeAccept;
  auto policy = std::make_shared<const request::Negotiation>(request::Negotiation{{"webp"}, false});
  HotResponses hot;
  hot.remember("/graph/g?x=1", policy, "webp", stored_redirect("/cache/k.webp", 60s, true));
  auto webp = hot.find("/graph/g?x=1", chrome);
  ASSERT_NE(webp, nullptr);
  EXPECT_NE(webp->find("Location: /cache/k.webp\r\nCache-Control: public, max-age=60\r\nVary: Accept\r\n"),
            std::string::npos)
      << *webp;
  EXPECT_EQ(hot.find("/graph/g?x=1", "image/webp;q=0.5,image/jpeg;q=0.1"), webp) << "another Accept, same type";
  for (const char* other : {"", "*/*", "image/*", "image/webp;q=0,*/*", "image/jpeg,image/webp;q=0.5"}) {
    EXPECT_EQ(hot.find("/graph/g?x=1", other), nullptr) << "the WebP answer served to Accept: " << other;
  }
  hot.remember("/graph/g?x=1", policy, "jpg", stored_redirect("/cache/k.jpg", 60s, true));
  auto jpg = hot.find("/graph/g?x=1", "*/*");
  ASSERT_NE(jpg, nullptr);
  EXPECT_NE(jpg->find("Location: /cache/k.jpg\r\n"), std::string::npos) << *jpg;
  EXPECT_EQ(hot.find("/graph/g?x=1"), jpg);
  EXPECT_EQ(hot.find("/graph/g?x=1", chrome), webp) << "the first type's answer was lost";
}

TEST(HotResponses, NegotiatedAnswersExpireTogether) {
  ManualClock clock;
  auto policy = std::make_shared<const request::Negotiation>(request::Negotiation{{"webp"}, true});
  HotResponses hot(std::chrono::milliseconds(30), 16384, clock);
  hot.remember("/t", policy, "webp", stored_redirect("/cache/k.webp", 60s, true));
  clock.advance(std::chrono::milliseconds(20));
  hot.remember("/t", policy, "png", stored_redirect("/cache/k.png", 60s, true));
  EXPECT_NE(hot.find("/t", "image/webp;q=0"), nullptr);
  clock.advance(std::chrono::milliseconds(10));
  EXPECT_EQ(hot.find("/t", "image/webp"), nullptr);
  EXPECT_EQ(hot.find("/t", "image/webp;q=0"), nullptr) << "an answer outlived the entry's ttl";
}

TEST(HotResponses, AnEntryIsNeverServedAfterItsValidity) {
  ManualClock clock;
  HotResponses hot(std::chrono::seconds(60), 16384, clock);
  hot.remember("/t", to("http://h/cache/k"), {0, clock.now() + std::chrono::seconds(2)});
  clock.advance(std::chrono::milliseconds(1999));
  EXPECT_NE(hot.find("/t"), nullptr);
  clock.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(hot.find("/t"), nullptr) << "served past its _expires";
  hot.remember("/t", to("http://h/cache/k"), {0, clock.now()});
  EXPECT_EQ(hot.find("/t"), nullptr) << "an answer already past its validity is not remembered";
}

TEST(HotResponses, ANewAppsGenerationDropsEveryEntry) {
  HotResponses hot;
  hot.remember("/a", to("u"), {1});
  hot.remember("/b", to("u"), {1});
  EXPECT_NE(hot.find("/a", {}, 1), nullptr);
  EXPECT_EQ(hot.find("/a", {}, 2), nullptr) << "served under a newer generation";
  EXPECT_EQ(hot.find("/b", {}, 2), nullptr);
  hot.remember("/a", to("u"), {1});  // decided under the old apps, remembered late
  EXPECT_EQ(hot.find("/a", {}, 2), nullptr) << "a late answer of an older generation was kept";
  hot.remember("/a", to("u"), {2});
  EXPECT_NE(hot.find("/a", {}, 2), nullptr);
  hot.clear();
  EXPECT_EQ(hot.find("/a", {}, 2), nullptr);
}

}  // namespace
}  // namespace imgflo::http
