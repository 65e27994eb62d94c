// The hot-path table of prepared 301 answers.
#include "http/hot_responses.h"

#include "core/clock.h"

#include <gtest/gtest.h>

namespace imgflo::http {
namespace {

TEST(HotResponses, RemembersPerHostAndTarget) {
  HotResponses hot;
  EXPECT_EQ(hot.find("/graph/a?x=1"), nullptr);
  hot.remember("/graph/a?x=1", "http://h:1/cache/k.png");
  auto r = hot.find("/graph/a?x=1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(*r,
            "HTTP/1.1 301 Moved Permanently\r\nServer: imgflo-server\r\nLocation: http://h:1/cache/k.png\r\n"
            "Content-Length: 0\r\n\r\n");
  EXPECT_EQ(hot.find("/graph/a?x=2"), nullptr);
}

TEST(HotResponses, EntriesExpireAfterTheirTtl) {
  ManualClock clock;
  HotResponses hot(std::chrono::milliseconds(30), 16384, clock);
  hot.remember("/t", "http://h/cache/k");
  clock.advance(std::chrono::milliseconds(29));
  EXPECT_NE(hot.find("/t"), nullptr) << "expired before its ttl";
  clock.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(hot.find("/t"), nullptr) << "still served at its ttl";
  hot.remember("/t", "http://h/cache/k2");
  ASSERT_NE(hot.find("/t"), nullptr) << "a fresh answer after expiry";
  EXPECT_NE(hot.find("/t")->find("k2"), std::string::npos);
}

TEST(HotResponses, Bounded) {
  HotResponses hot(std::chrono::seconds(60), 32);  // 2 per shard
  for (int i = 0; i < 1000; ++i) hot.remember("/t" + std::to_string(i), "u");
  int present = 0;
  for (int i = 0; i < 1000; ++i) present += hot.find("/t" + std::to_string(i)) != nullptr;
  EXPECT_LE(present, 32);
  EXPECT_GT(present, 0);
}

}  // namespace
}  // namespace imgflo::http
