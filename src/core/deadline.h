// Deadlines and cancellation for work that must not run forever.
//
// A Deadline is an absolute point on the steady clock (or "never"), read
// through a ClockSource (core/clock.h): the system clock unless one is given,
// e.g. a ManualClock in tests; the clock must outlive the Deadline. A
// CancelToken is a shared flag that any thread may raise; long-running work
// polls `Stop::check()` (deadline passed or token raised) between steps and in
// its inner loops. Both are cheap to copy and thread-safe.
#pragma once

#include "core/clock.h"
#include "core/error.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

namespace imgflo {

class Deadline {
 public:
  // A deadline that never expires.
  static Deadline never() { return Deadline(Clock::time_point::max()); }
  // `d` from now on `clock`.
  static Deadline after(Clock::duration d, const ClockSource& clock = system_clock()) {
    return Deadline(clock.now() + d, clock);
  }
  explicit Deadline(Clock::time_point at, const ClockSource& clock = system_clock()) : at_(at), clock_(&clock) {}

  // One virtual clock read.
  bool expired() const { return clock_->now() >= at_; }
  bool is_never() const { return at_ == Clock::time_point::max(); }
  Clock::time_point at() const { return at_; }
  // Time left, never negative; a very large value for never().
  Clock::duration remaining() const;

 private:
  Clock::time_point at_;
  const ClockSource* clock_;  // never null
};

class CancelToken {
 public:
  CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const { flag_->store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_->load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

// A count that any thread may add to, shared by copies (like CancelToken).
class FailureCount {
 public:
  FailureCount() : count_(std::make_shared<std::atomic<uint64_t>>(0)) {}
  void add() const { count_->fetch_add(1, std::memory_order_relaxed); }
  uint64_t value() const { return count_->load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<uint64_t>> count_;
};

// What a running job polls to know whether it should stop.
struct Stop {
  Deadline deadline = Deadline::never();
  CancelToken token;
  // Failures of the job's own pixel code run on libvips' worker threads
  // (runtime/ops/tiled.h), which an evaluation of the job's images compares
  // before and after (runtime/vips_eval.h): libvips 8.14 may report success
  // for an evaluation one of whose last tiles failed.
  FailureCount tile_failures;

  bool requested() const { return token.cancelled() || deadline.expired(); }
  // nullopt while work may continue; otherwise the Error to return.
  std::optional<Error> check() const;
};

}  // namespace imgflo
