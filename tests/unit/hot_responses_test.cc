// The hot-path table of prepared 301 answers.
#include "http/hot_responses.h"

#include <gtest/gtest.h>

#include <thread>

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

TEST(HotResponses, EntriesExpire) {
  HotResponses hot(std::chrono::milliseconds(30));
  hot.remember("/t", "http://h/cache/k");
  EXPECT_NE(hot.find("/t"), nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(hot.find("/t"), nullptr);
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
