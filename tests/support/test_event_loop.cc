#include "support/test_event_loop.h"

namespace imgflo::test {

std::function<void()> TestEventLoop::after(Clock::duration delay, std::function<void()> fn) {
  std::lock_guard lock(mu_);
  const TimerKey key{clock_.now() + delay, next_timer_++};
  timers_.emplace(key, std::move(fn));
  return [this, key] {
    std::lock_guard lock(mu_);
    timers_.erase(key);
  };
}

void TestEventLoop::post_blocking(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  blocking_.push_back(std::move(fn));
}

std::function<void()> TestEventLoop::take_due(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (timers_.empty() || timers_.begin()->first.first > now) return {};
  auto fn = std::move(timers_.begin()->second);
  timers_.erase(timers_.begin());
  return fn;
}

std::function<void()> TestEventLoop::take_blocking() {
  std::lock_guard lock(mu_);
  if (blocking_.empty()) return {};
  auto fn = std::move(blocking_.front());
  blocking_.pop_front();
  return fn;
}

int TestEventLoop::advance(Clock::duration d) {
  clock_.advance(d);
  int ran = 0;
  while (auto fn = take_due(clock_.now())) {
    fn();
    ++ran;
  }
  return ran;
}

int TestEventLoop::drain() {
  int ran = 0;
  while (auto fn = take_blocking()) {
    fn();
    ++ran;
  }
  return ran;
}

size_t TestEventLoop::timers() const {
  std::lock_guard lock(mu_);
  return timers_.size();
}

}  // namespace imgflo::test
