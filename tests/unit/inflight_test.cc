// In-flight markers: one suite, run against the in-memory implementation and
// against Redis (the shared test Redis, two independent clients standing for
// two frontends). Redis outages: see the last test (private server).
//
// Time: the memory implementation runs on a ManualClock that pass() advances;
// on Redis pass() sleeps, since there the server's own TTLs are under test.
// "Nothing happened" is checked after await_poll(): a full watcher poll.
#include "cache/memory_inflight.h"
#include "cache/redis_inflight.h"
#include "core/clock.h"
#include "redis_test_util.h"
#include "support/paths.h"
#include "support/redis_server.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace imgflo::cache::testing {
namespace {

using End = Capture<InflightEnd>;

class InflightTest : public SharedRedisTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    key_ = unique("inflight") + ".jpg";
    if (memory()) {
      auto shared = std::make_shared<MemoryInflight>(MemoryInflight::Options{}, clock_);
      a_ = b_ = shared;  // one process: both "frontends" share the map
      return;
    }
    SharedRedisTest::SetUp();
    if (HasFatalFailure()) return;
    const RedisInflight::Options o{prefix_, milliseconds(50), milliseconds(60000)};
    a_ = std::make_shared<RedisInflight>(client(), o);
    b_ = std::make_shared<RedisInflight>(client(), o);
  }
  bool memory() const { return GetParam() == "memory"; }

  // Lets `d` of marker time go by.
  void pass(milliseconds d) {
    if (memory()) clock_.advance(d);
    else std::this_thread::sleep_for(d);  // Redis expires keys on its own clock
  }

  // Returns once `m`'s watcher thread has polled every key watched before
  // the call: it probes all watched keys at once and answers in watch order,
  // so a control key released before it is watched ends in the first such poll.
  void await_poll(InflightMarkers& m) {
    static std::atomic<int> counter{0};
    const std::string control = key_ + ".poll" + std::to_string(counter++);
    ASSERT_TRUE(a_->try_claim_wait(control, "P", milliseconds(5000))->claimed);
    ASSERT_TRUE(*a_->release_wait(control, "P", "polled"));
    End polled;
    m.watch(control, polled.callback());
    ASSERT_TRUE(polled.wait().has_value()) << "the watcher thread did not poll within 5 s";
  }

  std::string key_;
  ManualClock clock_;  // memory only; outlives a_ and b_
  std::shared_ptr<InflightMarkers> a_, b_;  // frontends A and B
};

TEST_P(InflightTest, ClaimIsExclusiveAndReentrant) {
  auto first = a_->try_claim_wait(key_, "A", milliseconds(5000));
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_TRUE(first->claimed);
  auto second = b_->try_claim_wait(key_, "B", milliseconds(5000));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->claimed);
  EXPECT_EQ(second->owner, "A");
  auto again = a_->try_claim_wait(key_, "A", milliseconds(5000));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->claimed);
}

TEST_P(InflightTest, OnlyTheOwnerReleases) {
  ASSERT_TRUE(a_->try_claim_wait(key_, "A", milliseconds(5000))->claimed);
  auto not_ours = b_->release_wait(key_, "B", "B's message");
  ASSERT_TRUE(not_ours.ok());
  EXPECT_FALSE(*not_ours);
  EXPECT_FALSE(b_->try_claim_wait(key_, "B", milliseconds(5000))->claimed) << "B's release removed A's claim";
  auto ours = a_->release_wait(key_, "A", "done");
  ASSERT_TRUE(ours.ok());
  EXPECT_TRUE(*ours);
  EXPECT_TRUE(b_->try_claim_wait(key_, "B", milliseconds(5000))->claimed);
}

TEST_P(InflightTest, ClaimExpires) {
  ASSERT_TRUE(a_->try_claim_wait(key_, "A", milliseconds(200))->claimed);
  pass(milliseconds(50));
  EXPECT_FALSE(b_->try_claim_wait(key_, "B", milliseconds(300))->claimed) << "a live claim was taken over";
  pass(milliseconds(300));
  EXPECT_TRUE(b_->try_claim_wait(key_, "B", milliseconds(300))->claimed) << "a dead owner's claim must expire";
  pass(milliseconds(150));
  auto c = a_->try_claim_wait(key_, "C", milliseconds(1000));
  EXPECT_FALSE(c->claimed);
  EXPECT_EQ(c->owner, "B");
}

TEST_P(InflightTest, WatcherLearnsOfTheRelease) {
  ASSERT_TRUE(a_->try_claim_wait(key_, "A", milliseconds(5000))->claimed);
  End end;
  b_->watch(key_, end.callback());
  await_poll(*b_);
  EXPECT_FALSE(end.done()) << "called back while the claim is still held";
  const auto t0 = Clock::now();
  ASSERT_TRUE(*a_->release_wait(key_, "A", R"({"url":"http://cdn/x.jpg"})"));
  auto r = end.wait();
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->ok()) << r->error().message();
  EXPECT_EQ(r->value().how, InflightEnd::How::kReleased);
  EXPECT_EQ(r->value().message, R"({"url":"http://cdn/x.jpg"})");
  const double ms = std::chrono::duration<double, std::milli>(end.at() - t0).count();
  std::printf("[ info ] %s: watcher told %.1f ms after the release\n", GetParam().c_str(), ms);
  EXPECT_LT(ms, 500.0);
}

TEST_P(InflightTest, ReleaseBeforeWatchIsStillSeen) {
  ASSERT_TRUE(a_->try_claim_wait(key_, "A", milliseconds(5000))->claimed);
  ASSERT_TRUE(*a_->release_wait(key_, "A", "early"));
  End end;
  b_->watch(key_, end.callback());
  auto r = end.wait();
  ASSERT_TRUE(r && r->ok());
  EXPECT_EQ(r->value().how, InflightEnd::How::kReleased);
  EXPECT_EQ(r->value().message, "early");
}

TEST_P(InflightTest, DeadOwnerIsReportedAsAbandoned) {
  ASSERT_TRUE(a_->try_claim_wait(key_, "A", milliseconds(500))->claimed);
  End end;
  b_->watch(key_, end.callback());
  await_poll(*b_);
  EXPECT_FALSE(end.done()) << "reported abandoned while the claim is alive";
  pass(milliseconds(500));
  auto r = end.wait();
  ASSERT_TRUE(r && r->ok());
  EXPECT_EQ(r->value().how, InflightEnd::How::kAbandoned);
}

TEST_P(InflightTest, NewClaimClearsTheOldMessage) {
  ASSERT_TRUE(a_->try_claim_wait(key_, "A", milliseconds(5000))->claimed);
  ASSERT_TRUE(*a_->release_wait(key_, "A", "first run failed"));
  ASSERT_TRUE(b_->try_claim_wait(key_, "B", milliseconds(5000))->claimed);
  End end;
  a_->watch(key_, end.callback());
  await_poll(*a_);
  EXPECT_FALSE(end.done()) << "the previous run's message was delivered for the new claim";
  ASSERT_TRUE(*b_->release_wait(key_, "B", "second run"));
  auto r = end.wait();
  ASSERT_TRUE(r && r->ok());
  EXPECT_EQ(r->value().message, "second run");
}

TEST_P(InflightTest, UnwatchedCallbackNeverRuns) {
  ASSERT_TRUE(a_->try_claim_wait(key_, "A", milliseconds(5000))->claimed);
  End end;
  const uint64_t id = b_->watch(key_, end.callback());
  b_->unwatch(id);
  ASSERT_TRUE(*a_->release_wait(key_, "A", "x"));
  await_poll(*b_);
  EXPECT_FALSE(end.done());
}

TEST_P(InflightTest, ConcurrentClaimsHaveOneWinner) {
  std::atomic<int> winners{0}, errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto& m = i % 2 ? a_ : b_;
      auto c = m->try_claim_wait(key_, "owner-" + std::to_string(i), milliseconds(5000));
      if (!c.ok()) ++errors;
      else if (c->claimed) ++winners;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(winners.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Impl, InflightTest, ::testing::Values("memory", "redis"),
                         [](const auto& info) { return info.param; });

TEST(RedisInflightOutage, EveryCallFailsPromptlyWhileRedisIsDown) {
  test::RedisServerProcess server(test::scratch_dir("redis-inflight-outage"));
  ASSERT_TRUE(server.start()) << server.error();
  RedisClientOptions o;
  o.endpoint = *parse_redis_url(server.url());
  RedisInflight markers(*RedisClient::create(o), RedisInflight::Options{});
  ASSERT_TRUE(markers.try_claim_wait("k.jpg", "A", milliseconds(60000))->claimed);
  End end;
  markers.watch("k.jpg", end.callback());
  server.kill_hard();
  const auto t0 = Clock::now();
  auto w = end.wait();
  ASSERT_TRUE(w.has_value());
  ASSERT_FALSE(w->ok());
  EXPECT_EQ(w->error().kind(), ErrorKind::kUnavailable);
  for (auto r : {markers.try_claim_wait("k.jpg", "B", milliseconds(1000)).ok(),
                 markers.release_wait("k.jpg", "A", "").ok()}) {
    EXPECT_FALSE(r);
  }
  const double ms = ms_since(t0);
  std::printf("[ info ] Redis killed: watcher + claim + release all failed within %.1f ms\n", ms);
  EXPECT_LT(ms, 1000.0);
}

}  // namespace
}  // namespace imgflo::cache::testing
