// The QuotaCounter contract (limit, refusal with retry_after, the rolling
// 24 h window, apps apart, concurrent consumers) against MemoryQuotaCounter
// and RedisQuotaCounter on the shared test Redis, both on a ManualClock (the
// Redis counter gets `now` from it as Unix seconds); then the specifics of
// each (idle apps dropped; key layout, TTL, old fields deleted, a re-sent
// consume counted once, Redis down).
#include "cache/memory_quota_counter.h"
#include "cache/redis_quota_counter.h"
#include "redis_test_util.h"
#include "support/service_env.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace imgflo::cache::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// A Unix time on a minute boundary: the ManualClock's minutes and Redis' line up.
constexpr int64_t kUnixBase = 1'700'000'040;
static_assert(kUnixBase % 60 == 0);

class RedisQuotaCounterTest : public SharedRedisTest {
 protected:
  std::unique_ptr<RedisQuotaCounter> make_counter() {
    client_ = client();
    RedisQuotaCounter::Options options{prefix_, [this] { return unix_now(); }};
    return std::make_unique<RedisQuotaCounter>(client_, std::move(options));
  }
  int64_t unix_now() const {
    return kUnixBase + std::chrono::duration_cast<seconds>(clock_.now().time_since_epoch()).count();
  }
  ManualClock clock_;
  std::shared_ptr<RedisClient> client_;
};

class QuotaCounterContract : public RedisQuotaCounterTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      counter_ = std::make_unique<MemoryQuotaCounter>(clock_);
      return;
    }
    RedisQuotaCounterTest::SetUp();
    if (!HasFatalFailure()) counter_ = make_counter();
  }
  // One consume's decision (fails the test when none or an error comes).
  QuotaDecision consume(const std::string& app, int64_t limit) {
    Capture<QuotaDecision> c;
    counter_->consume(app, limit, c.callback());
    auto r = c.wait();
    EXPECT_TRUE(r.has_value()) << "no answer within 5 s";
    if (!r) return {};
    EXPECT_TRUE(r->ok()) << r->error().message();
    return r->ok() ? r->value() : QuotaDecision{};
  }
  std::string app(const std::string& tag) const { return prefix_ + tag; }
  std::unique_ptr<QuotaCounter> counter_;
};

TEST_P(QuotaCounterContract, AllowsUpToTheLimitThenRefusesUntilTheOldestMinuteLeaves) {
  clock_.advance(seconds(30));  // half-way through a minute
  for (int64_t i = 1; i <= 3; ++i) {
    const QuotaDecision d = consume(app("a"), 3);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.used, i);
    EXPECT_EQ(d.retry_after, seconds(0));
  }
  const QuotaDecision over = consume(app("a"), 3);
  EXPECT_FALSE(over.allowed);
  EXPECT_EQ(over.used, 3);
  // All three were counted in this minute, which leaves the window 24 h after it began.
  EXPECT_EQ(over.retry_after, hours(24) - seconds(30));
  // A refusal counts nothing.
  EXPECT_EQ(consume(app("a"), 4).used, 4);
}

TEST_P(QuotaCounterContract, TheWindowSlides) {
  EXPECT_TRUE(consume(app("a"), 3).allowed);
  EXPECT_TRUE(consume(app("a"), 3).allowed);
  clock_.advance(hours(10));
  EXPECT_TRUE(consume(app("a"), 3).allowed);
  const QuotaDecision over = consume(app("a"), 3);
  ASSERT_FALSE(over.allowed);
  EXPECT_EQ(over.retry_after, hours(14));  // the first two leave then, the third 10 h later
  clock_.advance(over.retry_after - seconds(1));
  EXPECT_FALSE(consume(app("a"), 3).allowed);
  clock_.advance(seconds(1));
  const QuotaDecision again = consume(app("a"), 3);
  EXPECT_TRUE(again.allowed);
  EXPECT_EQ(again.used, 2);  // the one of 10 h later and this one
  clock_.advance(hours(24));
  EXPECT_EQ(consume(app("a"), 3).used, 1);
}

TEST_P(QuotaCounterContract, AppsAreCountedApart) {
  EXPECT_TRUE(consume(app("a"), 1).allowed);
  EXPECT_FALSE(consume(app("a"), 1).allowed);
  const QuotaDecision b = consume(app("b"), 1);
  EXPECT_TRUE(b.allowed);
  EXPECT_EQ(b.used, 1);
}

TEST_P(QuotaCounterContract, ConcurrentConsumersGetExactlyTheLimit) {
  constexpr int kThreads = 4, kEach = 40, kLimit = 100;
  std::atomic<int> allowed{0}, refused{0}, answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        counter_->consume(app("shared"), kLimit, [&](Result<QuotaDecision> r) {
          if (r.ok()) ++(r->allowed ? allowed : refused);
          ++answered;
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto deadline = Clock::now() + seconds(10);
  while (answered < kThreads * kEach && Clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(answered.load(), kThreads * kEach);
  EXPECT_EQ(allowed.load(), kLimit);
  EXPECT_EQ(refused.load(), kThreads * kEach - kLimit);
}

INSTANTIATE_TEST_SUITE_P(Counters, QuotaCounterContract, ::testing::Values("memory", "redis"),
                         [](const auto& info) { return info.param; });

TEST(MemoryQuotaCounterTest, AppsIdleFor24HoursAreDropped) {
  ManualClock clock;
  MemoryQuotaCounter counter(clock);
  const auto consume = [&](const std::string& app) {
    bool allowed = false;
    counter.consume(app, 10, [&](Result<QuotaDecision> r) { allowed = r.ok() && r->allowed; });
    return allowed;
  };
  EXPECT_TRUE(consume("a"));
  EXPECT_TRUE(consume("b"));
  clock.advance(hours(12));
  EXPECT_TRUE(consume("c"));
  EXPECT_EQ(counter.TEST_apps(), 3u);
  clock.advance(hours(12));  // a and b consumed 24 h ago
  EXPECT_TRUE(consume("c"));
  EXPECT_EQ(counter.TEST_apps(), 1u);
  clock.advance(hours(24) + minutes(1));
  EXPECT_TRUE(consume("d"));
  EXPECT_EQ(counter.TEST_apps(), 1u);
}

// The hash of minute -> count (with total and oldest) and its TTL; minutes older than the window are deleted.
TEST_F(RedisQuotaCounterTest, KeyLayoutTtlAndOldFieldsDeleted) {
  auto counter = make_counter();
  const std::string app = prefix_ + "app";
  const auto consume = [&] {
    Capture<QuotaDecision> c;
    counter->consume(app, 5, c.callback());
    auto r = c.wait();
    ASSERT_TRUE(r && r->ok());
  };
  consume();
  consume();
  const std::string minute = std::to_string(unix_now() / 60);
  const auto field = [&](const std::string& name) {
    auto r = client_->call({"HGET", counter->redis_key(app), name});
    return r.ok() ? r->str : "error";
  };
  EXPECT_EQ(field(minute), "2");
  EXPECT_EQ(field("total"), "2");
  EXPECT_EQ(field("oldest"), minute);
  auto ttl = client_->call({"TTL", counter->redis_key(app)});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 25 * 3600 - 60);
  EXPECT_LE(ttl->integer, 25 * 3600);
  clock_.advance(hours(24) + minutes(1));
  consume();
  auto len = client_->call({"HLEN", counter->redis_key(app)});
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(len->integer, 3) << "the new minute, total and oldest";
  EXPECT_EQ(field("total"), "1");
}

// RedisClient re-sends unanswered commands after a reconnect: the same request id counts once.
TEST_F(RedisQuotaCounterTest, AResentConsumeCountsOnce) {
  auto counter = make_counter();
  const std::string app = prefix_ + "app";
  const auto consume = [&](const std::string& id) {
    Capture<QuotaDecision> c;
    counter->TEST_consume(app, 5, id, c.callback());
    auto r = c.wait();
    EXPECT_TRUE(r && r->ok());
    return r && r->ok() ? r->value().used : -1;
  };
  EXPECT_EQ(consume(prefix_ + "r1"), 1);
  EXPECT_EQ(consume(prefix_ + "r1"), 1);
  EXPECT_EQ(consume(prefix_ + "r2"), 2);
}

TEST_F(RedisQuotaCounterTest, RedisDownIsUnavailable) {
  options_.endpoint.port = test::closed_port();
  auto counter = make_counter();
  Capture<QuotaDecision> c;
  counter->consume(prefix_ + "app", 5, c.callback());
  auto r = c.wait(milliseconds(10'000));
  ASSERT_TRUE(r.has_value());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error().kind(), ErrorKind::kUnavailable);
  EXPECT_FALSE(counter->ping(milliseconds(2000)).ok());
}

}  // namespace
}  // namespace imgflo::cache::testing
