#include "cache/memory_quota_counter.h"

#include <algorithm>

namespace imgflo::cache {

namespace {

constexpr int64_t kQuotaWindow = QuotaCounter::kWindowMinutes;

size_t quota_bucket(int64_t minute) {
  return static_cast<size_t>(((minute % kQuotaWindow) + kQuotaWindow) % kQuotaWindow);
}

}  // namespace

MemoryQuotaCounter::MemoryQuotaCounter(const ClockSource& clock) : clock_(clock) {}

void MemoryQuotaCounter::consume(const std::string& app, int64_t limit, QuotaCallback done) {
  QuotaDecision decision;
  {
    std::lock_guard lock(mu_);
    decision = decide(app, limit);
  }
  done(decision);
}

QuotaDecision MemoryQuotaCounter::decide(const std::string& app, int64_t limit) {
  const Clock::duration since_epoch = clock_.now().time_since_epoch();
  const int64_t minute = std::chrono::duration_cast<std::chrono::minutes>(since_epoch).count();
  if (minute != swept_minute_) sweep(minute);
  auto [it, fresh] = apps_.try_emplace(app);
  Ring& ring = it->second;
  if (fresh) {
    ring.counts.assign(kQuotaWindow, 0);
    ring.last_minute = minute;
  }
  advance(ring, minute);
  if (ring.total < limit) {
    ++ring.counts[quota_bucket(minute)];
    return QuotaDecision{true, std::chrono::seconds(0), ++ring.total};
  }
  // The oldest counted minute leaves the window when the minute kQuotaWindow after it begins.
  const auto frees_at = std::chrono::minutes(oldest_counted(ring) + kQuotaWindow);
  const auto wait = std::chrono::ceil<std::chrono::seconds>(frees_at - since_epoch);
  return QuotaDecision{false, std::max(std::chrono::seconds(1), wait), ring.total};
}

void MemoryQuotaCounter::advance(Ring& ring, int64_t minute) {
  if (minute <= ring.last_minute) return;
  const int64_t steps = std::min(minute - ring.last_minute, kQuotaWindow);
  for (int64_t m = minute - steps + 1; m <= minute; ++m) {
    uint32_t& count = ring.counts[quota_bucket(m)];
    ring.total -= count;
    count = 0;
  }
  ring.last_minute = minute;
}

int64_t MemoryQuotaCounter::oldest_counted(const Ring& ring) {
  for (int64_t m = ring.last_minute - kQuotaWindow + 1; m < ring.last_minute; ++m) {
    if (ring.counts[quota_bucket(m)] > 0) return m;
  }
  return ring.last_minute;
}

void MemoryQuotaCounter::sweep(int64_t minute) {
  swept_minute_ = minute;
  std::erase_if(apps_, [minute](const auto& entry) { return minute - entry.second.last_minute >= kQuotaWindow; });
}

size_t MemoryQuotaCounter::TEST_apps() const {
  std::lock_guard lock(mu_);
  return apps_.size();
}

}  // namespace imgflo::cache
