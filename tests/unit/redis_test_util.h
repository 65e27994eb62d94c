// Helpers for the Redis tests: the shared test Redis, callback capture, timing.
#pragma once

#include "cache/redis_client.h"
#include "cache/redis_config.h"
#include "support/service_env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

namespace imgflo::cache::testing {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Keys unique per process and call: ctest runs tests in parallel processes on one Redis.
inline std::string unique(const std::string& tag) {
  static std::atomic<int> counter{0};
  return tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(Clock::now().time_since_epoch().count() % 1000000);
}

// Captures one callback's result and when it came.
template <typename T>
class Capture {
 public:
  void operator()(Result<T> r) {
    std::lock_guard lock(mu_);
    at_ = Clock::now();
    result_.emplace(std::move(r));
    cv_.notify_all();
  }
  // The result, or nullopt if none came within `timeout`.
  std::optional<Result<T>> wait(milliseconds timeout = milliseconds(5000)) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return result_.has_value(); });
    return result_;
  }
  bool done() {
    std::lock_guard lock(mu_);
    return result_.has_value();
  }
  Clock::time_point at() {
    std::lock_guard lock(mu_);
    return at_;
  }
  // A callable that forwards to this capture (which must outlive the call).
  auto callback() {
    return [this](Result<T> r) { (*this)(std::move(r)); };
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Result<T>> result_;
  Clock::time_point at_{};
};

// Fixture for tests on the shared test Redis (scripts/services/redis.sh).
class SharedRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = test::test_service("IMGFLO_TEST_REDIS_URL");
    ASSERT_TRUE(url.has_value()) << test::missing_service_message("IMGFLO_TEST_REDIS_URL");
    auto ep = parse_redis_url(*url);
    ASSERT_TRUE(ep.ok()) << ep.error().message();
    options_.endpoint = *ep;
    prefix_ = unique("imgflo_test/" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())) + "/";
  }

  std::shared_ptr<RedisClient> client() {
    auto c = RedisClient::create(options_);
    EXPECT_TRUE(c.ok());
    return c.ok() ? *c : nullptr;
  }

  RedisClientOptions options_;
  std::string prefix_;  // key prefix private to this test run
};

}  // namespace imgflo::cache::testing
