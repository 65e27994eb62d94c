// fetch/curl_transfer.h loggable_url: what the fetch log lines show of an input URL.
#include "fetch/curl_transfer.h"

#include <gtest/gtest.h>

namespace imgflo::fetch {
namespace {

TEST(LoggableUrl, DropsUserInfoQueryAndFragment) {
  EXPECT_EQ(loggable_url("https://user:secret@example.com:8443/a/b.jpg?X-Amz-Signature=abc&x=1#frag"),
            "https://example.com:8443/a/b.jpg");
  EXPECT_EQ(loggable_url("http://token@10.0.0.1/in.png"), "http://10.0.0.1/in.png");
  EXPECT_EQ(loggable_url("http://example.com/plain.png"), "http://example.com/plain.png");
}

TEST(LoggableUrl, UnparsableUrlsAreNotEchoed) {
  EXPECT_EQ(loggable_url("http://user:secret@[::1"), "(unparsable url)");
  EXPECT_EQ(loggable_url("user:secret not a url"), "(unparsable url)");
}

}  // namespace
}  // namespace imgflo::fetch
