// Per-app processing quotas: how many images an app had processed in the
// last 24 hours, counted in one-minute buckets over a rolling window.
//
// consume(app, limit, done) decides one processed image: when fewer than
// `limit` images were counted for `app` in the window (the current minute and
// the kWindowMinutes - 1 before it), it counts one and answers allowed, with
// `used` the count including it; otherwise it counts nothing and answers not
// allowed, with `used` the count in the window and `retry_after` the seconds
// until the oldest counted minute leaves the window (at least 1 s). `limit`
// must be > 0 (a limit <= 0 means "cached results only": the caller answers
// 403 without asking). An error (kUnavailable: the shared store is down or
// slow) means nothing is known; the caller decides (the handler fails open).
//
// `done` is called exactly once, on the caller's thread or another one; it
// must be quick and must not throw. Implementations are thread-safe.
//
//   MemoryQuotaCounter (cache/memory_quota_counter.h): this process only.
//   RedisQuotaCounter  (cache/redis_quota_counter.h): shared by every frontend.
#pragma once

#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace imgflo::cache {

struct QuotaDecision {
  bool allowed = true;
  std::chrono::seconds retry_after{0};  // not allowed: seconds until a slot frees; else 0
  int64_t used = 0;                     // images counted in the window (with this one when allowed)
};

using QuotaCallback = std::function<void(Result<QuotaDecision>)>;

class QuotaCounter {
 public:
  static constexpr int64_t kWindowMinutes = 1440;  // 24 h

  virtual ~QuotaCounter() = default;
  QuotaCounter() = default;
  QuotaCounter(const QuotaCounter&) = delete;
  QuotaCounter& operator=(const QuotaCounter&) = delete;

  // See the top of this file. REQUIRES: limit > 0.
  virtual void consume(const std::string& app, int64_t limit, QuotaCallback done) = 0;
  // Ok when the counter can answer (for /ready); kUnavailable or kTimeout otherwise.
  virtual Status ping(std::chrono::milliseconds timeout) = 0;
};

}  // namespace imgflo::cache
