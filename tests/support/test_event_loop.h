// An http::EventLoop driven by the test, for handler tests without sockets.
//
// after() timers run only when the test moves time with advance() (on the
// ManualClock the loop was given), in due order, on the test's thread;
// post_blocking() work waits in a queue until the test calls drain().
// Thread-safe: the handler may set or cancel timers and post work from job
// threads while the test advances or drains.
#pragma once

#include "core/clock.h"
#include "http/handler.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

namespace imgflo::test {

class TestEventLoop final : public http::EventLoop {
 public:
  // `clock` must outlive the loop.
  explicit TestEventLoop(ManualClock& clock) : clock_(clock) {}

  std::function<void()> after(Clock::duration delay, std::function<void()> fn) override;
  void post_blocking(std::function<void()> fn) override;

  // Advances the clock by `d`, then runs every timer due by the new time;
  // returns how many ran. Timers set by those timers run too when due.
  int advance(Clock::duration d);
  // Runs queued blocking work (and work it queues) until none is left; returns how much ran.
  int drain();
  // Timers set and neither run nor cancelled.
  size_t timers() const;

 private:
  using TimerKey = std::pair<Clock::time_point, uint64_t>;  // due, then order of setting
  // Removes and returns the earliest timer due at `now`, or an empty function.
  std::function<void()> take_due(Clock::time_point now);
  std::function<void()> take_blocking();

  ManualClock& clock_;
  mutable std::mutex mu_;
  std::map<TimerKey, std::function<void()>> timers_;  // guarded by mu_
  uint64_t next_timer_ = 0;                            // guarded by mu_
  std::deque<std::function<void()>> blocking_;         // guarded by mu_
};

}  // namespace imgflo::test
