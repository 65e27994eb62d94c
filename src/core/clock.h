// The clock seam: code that decides by time (deadlines, expiry of prepared
// answers and in-flight markers, the broker's sweeps) reads it through a
// ClockSource, so tests drive time with a ManualClock instead of sleeping.
//
// Besides the steady time of deadlines, a ClockSource tells the wall time
// for dates that clients and operators write down (a URL's _expires, the end
// of a rotated secret's grace), so one ManualClock drives both in tests.
//
// Both implementations are thread-safe. The system clock is a process-wide
// singleton; a ManualClock must outlive everything that reads it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace imgflo {

using Clock = std::chrono::steady_clock;

class ClockSource {
 public:
  virtual ~ClockSource() = default;
  virtual Clock::time_point now() const = 0;
  // Wall-clock time (std::chrono::system_clock: since the Unix epoch, UTC).
  virtual std::chrono::system_clock::time_point wall_now() const = 0;
  // wall_now() in whole seconds since the Unix epoch.
  int64_t unix_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(wall_now().time_since_epoch()).count();
  }
};

// std::chrono::steady_clock.
const ClockSource& system_clock();

// A clock that moves only when told (tests). Starts at an arbitrary point.
class ManualClock final : public ClockSource {
 public:
  Clock::time_point now() const override { return Clock::time_point(Clock::duration(ticks_.load())); }
  // Starts at kStartUnixSeconds and moves with now().
  std::chrono::system_clock::time_point wall_now() const override {
    const auto since_start = std::chrono::duration_cast<std::chrono::system_clock::duration>(now() - kStart);
    return std::chrono::system_clock::time_point(std::chrono::seconds(kStartUnixSeconds)) + since_start;
  }
  void advance(Clock::duration d) { ticks_ += d.count(); }

  static constexpr int64_t kStartUnixSeconds = 1'800'000'000;  // 2027-01-15 08:00:00 UTC

 private:
  static constexpr Clock::time_point kStart{std::chrono::hours(1)};
  std::atomic<Clock::rep> ticks_{kStart.time_since_epoch().count()};
};

}  // namespace imgflo
