// The processing quota counted in this process (QuotaCounter without Redis).
//
// Each app that consumed gets a ring of kWindowMinutes one-minute buckets
// (4 bytes each, ~5.6 KiB per app), allocated on its first consume, and a
// running total, so a consume is O(1) (a refusal scans the ring once for
// retry_after). Memory is bounded by the apps that consumed in the last 24 h:
// once a minute (of `clock` time) a consume drops every app whose buckets have
// all left the window. Callers pass only keys of known apps (the handler asks
// after authentication), so the apps are bounded too.
//
// Time is read through `clock` (core/clock.h), which must outlive the
// counter. consume() answers on the caller's thread, at once. Thread-safe
// (one mutex, held for O(1) work except a refusal's scan and the sweep).
#pragma once

#include "cache/quota_counter.h"
#include "core/clock.h"

#include <mutex>
#include <unordered_map>
#include <vector>

namespace imgflo::cache {

class MemoryQuotaCounter final : public QuotaCounter {
 public:
  explicit MemoryQuotaCounter(const ClockSource& clock = system_clock());

  void consume(const std::string& app, int64_t limit, QuotaCallback done) override;
  Status ping(std::chrono::milliseconds) override { return ok_status(); }  // nothing to reach

  // Apps holding a ring (tests: idle apps are dropped).
  size_t TEST_apps() const;

 private:
  struct Ring {
    std::vector<uint32_t> counts;  // kWindowMinutes buckets, indexed by minute mod kWindowMinutes
    int64_t last_minute = 0;       // the newest minute the buckets describe
    int64_t total = 0;             // sum of counts
  };
  QuotaDecision decide(const std::string& app, int64_t limit);
  // Empties the buckets of the minutes after ring.last_minute up to `minute`.
  static void advance(Ring& ring, int64_t minute);
  // The first minute of the window ending at ring.last_minute with a count (REQUIRES: total > 0).
  static int64_t oldest_counted(const Ring& ring);
  // Drops the apps whose every bucket left the window (mu_ held).
  void sweep(int64_t minute);

  const ClockSource& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Ring> apps_;  // guarded by mu_
  int64_t swept_minute_ = 0;                    // guarded by mu_
};

}  // namespace imgflo::cache
