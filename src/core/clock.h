// The clock seam: code that decides by time (deadlines, expiry of prepared
// answers and in-flight markers, the broker's sweeps) reads it through a
// ClockSource, so tests drive time with a ManualClock instead of sleeping.
//
// Both implementations are thread-safe. The system clock is a process-wide
// singleton; a ManualClock must outlive everything that reads it.
#pragma once

#include <atomic>
#include <chrono>

namespace imgflo {

using Clock = std::chrono::steady_clock;

class ClockSource {
 public:
  virtual ~ClockSource() = default;
  virtual Clock::time_point now() const = 0;
};

// std::chrono::steady_clock.
const ClockSource& system_clock();

// A clock that moves only when told (tests). Starts at an arbitrary point.
class ManualClock final : public ClockSource {
 public:
  Clock::time_point now() const override { return Clock::time_point(Clock::duration(ticks_.load())); }
  void advance(Clock::duration d) { ticks_ += d.count(); }

 private:
  std::atomic<Clock::rep> ticks_{Clock::duration(std::chrono::hours(1)).count()};
};

}  // namespace imgflo
