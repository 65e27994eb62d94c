// The CacheIndex contract (round trip, miss, concurrent lookups from several
// threads) against the memory index and RedisCacheIndex on the shared test
// Redis (scripts/services/redis.sh); then Redis specifics (key layout, TTL).
// Outages and slowness: redis_outage_test.cc; credentials: redis_auth_test.cc.
#include "cache/memory_cache_index.h"
#include "cache/redis_cache_index.h"
#include "redis_test_util.h"
#include "support/service_env.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace imgflo::cache::testing {
namespace {

class RedisCacheIndexTest : public SharedRedisTest {
 protected:
  RedisCacheIndex make_index(std::chrono::seconds ttl = std::chrono::seconds(600)) {
    client_ = client();
    return RedisCacheIndex(client_, RedisCacheIndex::Options{ttl, prefix_});
  }
  std::shared_ptr<RedisClient> client_;
};

class CacheIndexContract : public RedisCacheIndexTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      index_ = std::make_unique<MemoryCacheIndex>();
      return;
    }
    RedisCacheIndexTest::SetUp();
    if (!HasFatalFailure()) index_ = std::make_unique<RedisCacheIndex>(make_index());
  }
  std::unique_ptr<CacheIndex> index_;
};

TEST_P(CacheIndexContract, PutThenGetRoundTrip) {
  CacheIndex& index = *index_;
  const std::string key = unique("b5774b2bd2c5c94535432dec55a205a712bc5326") + ".jpg";
  const std::string url = "https://s3-eu-west-1.amazonaws.com/bucket/p/" + key;
  ASSERT_TRUE(index.put(key, url).ok());
  Capture<std::optional<std::string>> hit;
  index.get(key, hit.callback());
  auto r = hit.wait();
  ASSERT_TRUE(r.has_value()) << "no callback within 5 s";
  ASSERT_TRUE(r->ok()) << r->error().message();
  ASSERT_TRUE(r->value().has_value());
  EXPECT_EQ(*r->value(), url);
  // Overwriting replaces the value (a re-run stored the result again).
  ASSERT_TRUE(index.put(key, url + "?v2").ok());
  Capture<std::optional<std::string>> again;
  index.get(key, again.callback());
  auto r2 = again.wait();
  ASSERT_TRUE(r2 && r2->ok() && r2->value());
  EXPECT_EQ(*r2->value(), url + "?v2");
}

TEST_P(CacheIndexContract, MissIsNulloptNotError) {
  CacheIndex& index = *index_;
  Capture<std::optional<std::string>> miss;
  index.get(unique("absent") + ".png", miss.callback());
  auto r = miss.wait();
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->ok()) << r->error().message();
  EXPECT_FALSE(r->value().has_value());
}

TEST_F(RedisCacheIndexTest, KeyLayoutAndTtl) {
  auto index = make_index(std::chrono::seconds(1234));
  const std::string key = unique("ttl") + ".png";
  ASSERT_TRUE(index.put(key, "./" + key).ok());
  EXPECT_EQ(index.redis_key(key), prefix_ + "url/" + key);
  auto value = client_->call({"GET", prefix_ + "url/" + key});
  ASSERT_TRUE(value.ok()) << value.error().message();
  EXPECT_EQ(value->str, "./" + key);
  auto ttl = client_->call({"TTL", prefix_ + "url/" + key});
  ASSERT_TRUE(ttl.ok());
  ASSERT_EQ(ttl->type, RedisReply::Type::kInteger);
  EXPECT_LE(ttl->integer, 1234);
  EXPECT_GE(ttl->integer, 1230);  // a few seconds of slack for a loaded machine
  // The production layout: imgflo_cache/url/<key>.
  RedisCacheIndex production(client_, RedisCacheIndex::Options{});
  EXPECT_EQ(production.redis_key("abc.jpg"), "imgflo_cache/url/abc.jpg");
}

TEST_P(CacheIndexContract, ManyConcurrentGetsFromSeveralThreads) {
  CacheIndex& index = *index_;
  constexpr int kKeys = 20, kThreads = 4, kPerThread = 500;
  std::vector<std::string> keys;
  for (int i = 0; i < kKeys; ++i) {
    keys.push_back(unique("c" + std::to_string(i)) + ".jpg");
    if (i % 2 == 0) {
      ASSERT_TRUE(index.put(keys.back(), "url-" + std::to_string(i)).ok());
    }
  }
  std::atomic<int> answered{0}, wrong{0}, errors{0};
  std::vector<std::thread> threads;
  const auto t0 = Clock::now();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < kPerThread; ++n) {
        const int i = (n * 7 + t) % kKeys;
        index.get(keys[i], [&, i](Result<std::optional<std::string>> r) {
          if (!r.ok()) ++errors;
          else if (i % 2 == 0 ? (!r->has_value() || **r != "url-" + std::to_string(i)) : r->has_value()) ++wrong;
          ++answered;
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  const double submit_ms = ms_since(t0);
  while (answered.load() < kThreads * kPerThread && ms_since(t0) < 10000) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  const double all_ms = ms_since(t0);
  EXPECT_EQ(answered.load(), kThreads * kPerThread);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(errors.load(), 0);
  std::printf("[ info ] %s: %d gets from %d threads: submitted in %.1f ms, all answered in %.1f ms\n",
              GetParam().c_str(), kThreads * kPerThread, kThreads, submit_ms, all_ms);
}

INSTANTIATE_TEST_SUITE_P(Impl, CacheIndexContract, ::testing::Values("memory", "redis"),
                         [](const auto& info) { return info.param; });

TEST_F(RedisCacheIndexTest, BlockingCallFromCallbackIsRefused) {
  auto index = make_index();
  Capture<RedisReply> nested;
  client_->submit({"PING"}, [&](Result<RedisReply>) { nested(client_->call({"PING"})); });
  auto r = nested.wait();
  ASSERT_TRUE(r.has_value()) << "deadlock: a blocking call from the I/O thread must fail, not wait";
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error().kind(), ErrorKind::kInternal);
}

// ping() (for /ready): a PING through the shared client, answered within its timeout.
TEST_F(RedisCacheIndexTest, PingAnswersWithinItsTimeout) {
  RedisCacheIndex index = make_index();
  for (int i = 0; i < 2; ++i) {
    const auto t0 = Clock::now();
    Status st = index.ping(milliseconds(1000));
    EXPECT_TRUE(st.ok()) << st.error().message();
    EXPECT_LT(ms_since(t0), 1000);
  }
}

TEST_F(RedisCacheIndexTest, PingOfAClosedPortIsUnavailablePromptly) {
  options_.endpoint.port = test::closed_port();
  RedisCacheIndex index = make_index();
  const auto t0 = Clock::now();
  Status st = index.ping(milliseconds(2000));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kUnavailable) << st.error().message();
  EXPECT_LT(ms_since(t0), 1000);
}

}  // namespace
}  // namespace imgflo::cache::testing
