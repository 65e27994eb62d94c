// RedisCacheIndex when Redis is slow, paused, killed, restarted, or refuses
// our credentials. Each test runs its own redis-server (tests/support/
// redis_server.h) so the shared test Redis is never disturbed.
#include "cache/redis_cache_index.h"
#include "redis_test_util.h"
#include "support/paths.h"
#include "support/redis_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace imgflo::cache::testing {
namespace {

using Lookup = Capture<std::optional<std::string>>;

class RedisOutageTest : public ::testing::Test {
 protected:
  // Starts a private redis-server with `extra` arguments.
  void start_server(std::vector<std::string> extra = {}) {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    server_ = std::make_unique<test::RedisServerProcess>(test::scratch_dir("redis-" + name), std::move(extra));
    ASSERT_TRUE(server_->start()) << server_->error();
  }
  RedisClientOptions options(const std::string& url) {
    RedisClientOptions o;
    auto ep = parse_redis_url(url);
    EXPECT_TRUE(ep.ok());
    if (ep.ok()) o.endpoint = *ep;
    o.backoff_max = milliseconds(400);
    return o;
  }
  std::shared_ptr<RedisClient> client(const RedisClientOptions& o) {
    auto c = RedisClient::create(o);
    EXPECT_TRUE(c.ok());
    return c.ok() ? *c : nullptr;
  }
  // CLIENT PAUSE from a separate connection: every other client's commands wait `ms`.
  void pause_server(int ms) {
    RedisConnection admin;
    ASSERT_TRUE(admin.open(options(server_->url())).ok());
    auto r = admin.command({"CLIENT", "PAUSE", std::to_string(ms), "ALL"});
    ASSERT_TRUE(r.ok() && !r->is_error());
  }
  // Issues get(key) until it answers without error; returns the ms it took, or -1.
  static double wait_until_up(RedisCacheIndex& index, const std::string& key, milliseconds limit) {
    const auto t0 = Clock::now();
    while (ms_since(t0) < static_cast<double>(limit.count())) {
      Lookup l;
      index.get(key, l.callback());
      auto r = l.wait();
      if (r && r->ok()) return ms_since(t0);
      std::this_thread::sleep_for(milliseconds(20));
    }
    return -1;
  }
  std::unique_ptr<test::RedisServerProcess> server_;
};

TEST_F(RedisOutageTest, GetReturnsBeforeCallbackWhenRedisIsSlow) {
  start_server();
  auto o = options(server_->url());
  o.command_timeout = milliseconds(3000);
  auto c = client(o);
  RedisCacheIndex index(c, {});
  ASSERT_TRUE(index.put("slow.jpg", "http://cdn/slow.jpg").ok());
  pause_server(400);
  Lookup hit;
  const auto t0 = Clock::now();
  index.get("slow.jpg", hit.callback());
  const double returned_ms = ms_since(t0);
  const bool called_before_return = hit.done();
  auto r = hit.wait();
  const double callback_ms = std::chrono::duration<double, std::milli>(hit.at() - t0).count();
  std::printf("[ info ] paused Redis: get() returned after %.3f ms, callback after %.1f ms\n", returned_ms,
              callback_ms);
  EXPECT_FALSE(called_before_return);
  EXPECT_LT(returned_ms, 50.0);  // a queue push; generous for a loaded 2-core machine
  ASSERT_TRUE(r && r->ok() && r->value());
  EXPECT_EQ(*r->value(), "http://cdn/slow.jpg");
  EXPECT_GE(callback_ms, 300.0);  // the answer really waited for Redis
}

TEST_F(RedisOutageTest, SlowerThanCommandTimeoutFailsPromptlyThenRecovers) {
  start_server();
  auto o = options(server_->url());
  o.command_timeout = milliseconds(300);
  auto c = client(o);
  RedisCacheIndex index(c, {});
  ASSERT_TRUE(c->ping().ok());
  pause_server(1500);
  Lookup l;
  const auto t0 = Clock::now();
  index.get("k.jpg", l.callback());
  auto r = l.wait();
  const double ms = ms_since(t0);
  std::printf("[ info ] Redis paused 1500 ms, command timeout 300 ms: kUnavailable after %.1f ms\n", ms);
  ASSERT_TRUE(r.has_value());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error().kind(), ErrorKind::kUnavailable);
  EXPECT_NE(r->error().message().find("no reply within 300 ms"), std::string::npos) << r->error().message();
  EXPECT_GE(ms, 250.0);
  EXPECT_LT(ms, 1000.0);
  const double up_ms = wait_until_up(index, "k.jpg", milliseconds(5000));
  std::printf("[ info ] usable again %.0f ms after the timeout\n", up_ms);
  EXPECT_GE(up_ms, 0.0) << "the client did not recover after the pause ended";
}

TEST_F(RedisOutageTest, FullQueueAnswersAtOnce) {
  start_server();
  auto o = options(server_->url());
  o.connections = 1;
  o.queue_capacity = 8;
  o.command_timeout = milliseconds(3000);
  auto c = client(o);
  RedisCacheIndex index(c, {});
  ASSERT_TRUE(index.put("q.jpg", "u").ok());
  pause_server(500);
  std::vector<std::unique_ptr<Lookup>> lookups;
  int inline_rejections = 0;
  double slowest_rejection_ms = 0;
  for (int i = 0; i < 50; ++i) {
    lookups.push_back(std::make_unique<Lookup>());
    const auto t0 = Clock::now();
    index.get("q.jpg", lookups.back()->callback());
    if (lookups.back()->done()) {
      ++inline_rejections;
      slowest_rejection_ms = std::max(slowest_rejection_ms, ms_since(t0));
      auto r = lookups.back()->wait();
      ASSERT_FALSE(r->ok());
      EXPECT_EQ(r->error().kind(), ErrorKind::kUnavailable);
      EXPECT_NE(r->error().message().find("queue full"), std::string::npos) << r->error().message();
    }
  }
  std::printf("[ info ] 50 gets on a paused Redis, queue 8: %d refused at once (slowest %.3f ms)\n",
              inline_rejections, slowest_rejection_ms);
  EXPECT_GE(inline_rejections, 30);
  int hits = 0;
  for (auto& l : lookups) {
    auto r = l->wait();
    ASSERT_TRUE(r.has_value()) << "a lookup was never answered";
    if (r->ok() && r->value()) ++hits;
  }
  EXPECT_EQ(hits, 50 - inline_rejections);  // the queued ones were served after the pause
}

TEST_F(RedisOutageTest, KilledThenRestartedWithoutRestartingTheClient) {
  start_server();
  auto c = client(options(server_->url()));
  RedisCacheIndex index(c, {});
  ASSERT_TRUE(index.put("a.jpg", "url-a").ok());

  // Lookups keep flowing from another thread while Redis is killed.
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0}, answered{0};
  std::atomic<long> slowest_us{0};
  std::thread load([&] {
    while (!stop) {
      ++sent;
      index.get("a.jpg", [&, t0 = Clock::now()](Result<std::optional<std::string>>) {
        const long us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
        long prev = slowest_us.load();
        while (us > prev && !slowest_us.compare_exchange_weak(prev, us)) {
        }
        ++answered;
      });
      std::this_thread::sleep_for(milliseconds(1));
    }
  });
  std::this_thread::sleep_for(milliseconds(100));
  server_->kill_hard();
  const auto killed = Clock::now();
  Lookup first;
  index.get("a.jpg", first.callback());
  auto r = first.wait();
  const double first_ms = ms_since(killed);
  ASSERT_TRUE(r.has_value());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error().kind(), ErrorKind::kUnavailable);
  double worst_ms = 0;
  for (int i = 0; i < 20; ++i) {
    Lookup l;
    const auto t0 = Clock::now();
    index.get("a.jpg", l.callback());
    auto down = l.wait();
    worst_ms = std::max(worst_ms, ms_since(t0));
    ASSERT_TRUE(down && !down->ok());
    EXPECT_EQ(down->error().kind(), ErrorKind::kUnavailable);
    if (i == 0) std::printf("[ info ] while down: \"%s\"\n", down->error().message().c_str());
    std::this_thread::sleep_for(milliseconds(10));
  }
  stop = true;
  load.join();
  const auto drain_start = Clock::now();
  while (answered.load() < sent.load() && ms_since(drain_start) < 2000) std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(answered.load(), sent.load()) << "lookups in flight at the kill were never answered";
  std::printf("[ info ] kill -9: first kUnavailable %.2f ms after the kill; worst of 20 later gets %.3f ms; "
              "%d background gets (1/ms) all answered, slowest %.2f ms\n", first_ms, worst_ms, sent.load(),
              static_cast<double>(slowest_us.load()) / 1000.0);
  EXPECT_LT(first_ms, 500.0);
  EXPECT_LT(slowest_us.load(), 500000);
  EXPECT_LT(worst_ms, 50.0);

  ASSERT_TRUE(server_->restart()) << server_->error();
  const double up_ms = wait_until_up(index, "a.jpg", milliseconds(5000));
  std::printf("[ info ] restarted Redis: client usable again after %.0f ms\n", up_ms);
  ASSERT_GE(up_ms, 0.0) << "the client never reconnected";
  EXPECT_LT(up_ms, 2000.0);  // backoff_max is 400 ms
  ASSERT_TRUE(index.put("a.jpg", "url-a2").ok());  // the restarted Redis lost its data (no persistence)
  Lookup after;
  index.get("a.jpg", after.callback());
  auto hit = after.wait();
  ASSERT_TRUE(hit && hit->ok() && hit->value());
  EXPECT_EQ(*hit->value(), "url-a2");
}

TEST_F(RedisOutageTest, RestartWhileIdleRecoversAtOnce) {
  start_server();
  auto c = client(options(server_->url()));
  RedisCacheIndex index(c, {});
  ASSERT_TRUE(index.put("idle.jpg", "u").ok());
  ASSERT_TRUE(server_->restart()) << server_->error();  // both pooled connections are now stale
  // Each I/O thread finds its connection dead and reopens it. On a loaded
  // machine the new server may still be settling, so the first lookups may
  // see kUnavailable; within a short time every lookup answers (a miss: the
  // restarted Redis has no data).
  const double up_ms = wait_until_up(index, "idle.jpg", milliseconds(3000));
  ASSERT_GE(up_ms, 0.0) << "the client never recovered";
  EXPECT_LT(up_ms, 2000.0);
  for (int i = 0; i < 4; ++i) {
    Lookup l;
    index.get("idle.jpg", l.callback());
    auto r = l.wait();
    ASSERT_TRUE(r && r->ok()) << (r ? r->error().message() : "no answer");
    EXPECT_FALSE(r->value().has_value());
  }
}

TEST_F(RedisOutageTest, WritingToAKilledRedisIsAnErrorNotSigpipe) {
  start_server();
  auto o = options(server_->url());
  o.connections = 1;
  auto c = client(o);
  ASSERT_TRUE(c->ping().ok());
  server_->kill_hard();
  // A large command on the stale connection: the first write() draws a reset, the next ones
  // get EPIPE. Unless the I/O thread blocks SIGPIPE, the default action kills this process.
  auto r = c->call({"SET", "big", std::string(8 << 20, 'x')});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kUnavailable);
}

TEST_F(RedisOutageTest, UnreachableAtStartAnswersPromptly) {
  start_server();
  const std::string url = server_->url();
  server_->kill_hard();  // a port where nothing listens now
  auto c = client(options(url));
  RedisCacheIndex index(c, {});
  for (int i = 0; i < 3; ++i) {
    Lookup l;
    const auto t0 = Clock::now();
    index.get("x.jpg", l.callback());
    auto r = l.wait();
    const double ms = ms_since(t0);
    ASSERT_TRUE(r && !r->ok());
    EXPECT_EQ(r->error().kind(), ErrorKind::kUnavailable);
    EXPECT_NE(r->error().message().find("refused"), std::string::npos) << r->error().message();
    EXPECT_LT(ms, 500.0);
  }
  auto st = index.put("x.jpg", "u");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kUnavailable);
}

TEST_F(RedisOutageTest, StoppingAnswersEveryPendingCommand) {
  start_server();
  auto o = options(server_->url());
  o.command_timeout = milliseconds(500);
  auto c = client(o);
  ASSERT_TRUE(c->ping().ok());
  pause_server(2000);
  std::atomic<int> answered{0};
  for (int i = 0; i < 100; ++i) c->submit({"GET", "k"}, [&](Result<RedisReply>) { ++answered; });
  const auto t0 = Clock::now();
  c.reset();  // joins the I/O threads
  EXPECT_EQ(answered.load(), 100);
  EXPECT_LT(ms_since(t0), 1500.0);
}

}  // namespace
}  // namespace imgflo::cache::testing
