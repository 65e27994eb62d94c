// The frontend's view of processing: submit a job, get its result.
//
// Identical submissions (same key) are coalesced: one job runs and every
// waiter gets its outcome. Implementations: in-process queue + worker pool
// (LocalJobSystem), and RabbitMQ (distributed mode). Thread-safe.
#pragma once

#include "core/error.h"
#include "jobs/job.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace imgflo::jobs {

// The stored result's location (as Storage::put returned it) or the error.
using JobCallback = std::function<void(Result<std::string>)>;

// Calls `done(result)` behind an exception barrier (core/guard.h): a throwing
// callback is logged, never lets an exception into a job system's thread.
void deliver(const JobCallback& done, const Result<std::string>& result) noexcept;

struct JobStats {
  uint64_t submitted = 0;   // submit() calls accepted
  uint64_t started = 0;     // jobs that began running
  uint64_t coalesced = 0;   // submissions that joined an existing job
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  uint64_t cancelled = 0;   // jobs dropped or stopped because nobody waited any more
  uint64_t rejected = 0;    // refused because the queue was full
  uint64_t queued = 0;      // waiting right now (every lane)
  uint64_t running = 0;     // running right now (every lane)
  uint64_t rerouted = 0;    // jobs moved from the image lane to the video lane (their input was a video)
  uint64_t video_queued = 0;   // of queued, in the video lane
  uint64_t video_running = 0;  // of running, in the video lane
};

class JobSystem {
 public:
  virtual ~JobSystem() = default;

  // Urgent submissions with a callback: `done` is called exactly once, from
  // an arbitrary thread, unless withdraw() is called first. Background
  // submissions pass no callback. Returns a ticket for withdraw(), or
  // kOverloaded when the queue is full (nothing was queued).
  virtual Result<uint64_t> submit(Job job, JobCallback done) = 0;
  // The waiter behind `ticket` gives up (its deadline passed, the client
  // left). Its callback will not be called. When no waiter and no background
  // interest remain, the job is cancelled (dropped from the queue or stopped).
  virtual void withdraw(uint64_t ticket) = 0;
  virtual JobStats stats() const = 0;
  // The lane of the job the waiter behind `ticket` waits for right now (it
  // becomes kVideo when the job moves there: the waiter's budget is then the
  // video deadline); kImage for unknown tickets. Non-blocking.
  virtual Lane lane(uint64_t /*ticket*/) const { return Lane::kImage; }
  // Whether submit() would be taken now, checked within about `timeout`: ok,
  // or kUnavailable/kTimeout saying why not (for /ready, http/readiness.h):
  // in-process, the workers run (started, not stopped); with a broker, a
  // round trip on the channel answered. Blocking; never from the event loop.
  virtual Status ping(std::chrono::milliseconds timeout) = 0;
};

}  // namespace imgflo::jobs
