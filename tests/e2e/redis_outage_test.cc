// A Redis outage under a running frontend: requests keep being answered
// (the index is treated as a miss, work is done and stored), nothing hangs,
// and the index works again once Redis is back — no restart of the service.
#include "e2e/e2e_util.h"
#include "support/paths.h"
#include "support/redis_server.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <thread>

namespace imgflo::test {
namespace {

TEST(RedisOutage, ServedWhileRedisIsDownAndRecoveredAfter) {
  RedisServerProcess redis(scratch_dir("redis-outage-server"));
  ASSERT_TRUE(redis.start()) << redis.error();
  ServerProcess server("redis-outage", {{"IMGFLO_CACHE", "redis-local"}, {"IMGFLO_REDIS_URL", redis.url()}},
                       {"--hot-ttl", "0"});
  const std::string path = "/graph/crop.png?input=files%2Fgridbear.jpg&x=";
  ASSERT_EQ(http_get(server.url(path + "1")).status, 301);
  const uint64_t submitted = metric(server, "imgflo_jobs_submitted_total");
  ASSERT_EQ(http_get(server.url(path + "1")).status, 301);  // from Redis
  EXPECT_EQ(metric(server, "imgflo_jobs_submitted_total"), submitted);

  redis.kill_hard();
  for (const char* x : {"1", "2"}) {  // stored before, new: both answered
    const HttpResult r = http_get(server.url(path + x));
    EXPECT_EQ(r.status, 301) << r.body;
    EXPECT_LT(r.seconds, 5.0);
  }
  ASSERT_TRUE(redis.restart()) << redis.error();
  // The client reconnects by itself: lookups (HEAD: index only, never processes) find the result
  // through the store and write it back into the restarted, empty Redis.
  auto redis_keys = [&] {
    std::unique_ptr<FILE, int (*)(FILE*)> p(
        popen(("redis-cli -p " + std::to_string(redis.port()) + " KEYS 'imgflo_cache/url/*'").c_str(), "r"), pclose);
    char buf[256] = {};
    return std::string(fgets(buf, sizeof buf, p.get()) ? buf : "");
  };
  std::string keys;
  for (int i = 0; i < 50 && keys.find(".png") == std::string::npos; ++i) {
    EXPECT_EQ(http(server.url(path + "2"), {.method = "HEAD"}).status, 301);
    keys = redis_keys();
    if (keys.find(".png") == std::string::npos) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(http(server.url(path + "3"), {.method = "HEAD"}).status, 404);
  EXPECT_NE(keys.find(".png"), std::string::npos) << keys;
}

}  // namespace
}  // namespace imgflo::test
