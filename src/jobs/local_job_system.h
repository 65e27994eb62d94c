// In-process job system (the embedded default): a bounded two-level queue
// (urgent before background) and a fixed pool of worker threads, with
// coalescing of identical keys and cancellation of jobs nobody waits for.
//
// Background jobs may occupy at most workers-1 threads (when there are two
// or more), so a flood of POSTs never takes the last worker from urgent GETs.
// Threads are created in start() and joined in stop() (or the destructor).
// submit(), withdraw() and stats() are thread-safe (one mutex, which also
// guards the FlightTable that does the coalescing bookkeeping); callbacks run
// on the worker threads, or on the caller's thread for stop(), never under it.
//
// A queued job whose last waiter withdraws is dropped from the queue; a
// running one is stopped through its Stop token. A background job joined by
// an urgent waiter before it started moves to the urgent queue.
#pragma once

#include "core/clock.h"
#include "jobs/flight_table.h"
#include "jobs/job_system.h"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace imgflo::jobs {

// The work itself: run `job` under `stop`; returns the stored location.
using WorkFunction = std::function<Result<std::string>(const Job& job, const Stop& stop)>;

struct LocalJobOptions {
  int workers = 2;         // threads; >= 1
  size_t queue_limit = 64; // jobs waiting to start (coalesced submissions don't count)
  std::function<void()> on_thread_exit;  // per worker thread clean-up (libvips)
};

class LocalJobSystem final : public JobSystem {
 public:
  LocalJobSystem(WorkFunction work, LocalJobOptions options);
  ~LocalJobSystem() override;
  LocalJobSystem(const LocalJobSystem&) = delete;
  LocalJobSystem& operator=(const LocalJobSystem&) = delete;

  void start();
  // Waits until no job is queued or running, or until `until`; true when idle
  // (the graceful stop: let every accepted job, a POST's too, finish first).
  // The last job's callback may still be running when it returns; stop() joins it.
  bool wait_idle(Clock::time_point until);
  // Cancels queued and running jobs (their waiters get kCancelled) and joins the threads.
  void stop();

  Result<uint64_t> submit(Job job, JobCallback done) override;
  void withdraw(uint64_t ticket) override;
  JobStats stats() const override;
  // Ok between start() and stop() (submit() then takes jobs unless the queue is full).
  Status ping(std::chrono::milliseconds timeout) override;

 private:
  struct Flight final : FlightTable::Flight {
    explicit Flight(Job j) : FlightTable::Flight(j.key), job(std::move(j)) {}
    Job job;
    bool started = false;
    bool urgent = false;
    Stop stop;
  };
  using FlightPtr = std::shared_ptr<Flight>;
  static FlightPtr local(const FlightTable::FlightPtr& f) { return std::static_pointer_cast<Flight>(f); }

  void worker_loop();
  FlightPtr next_flight();  // REQUIRES: mu_ held; nullptr when nothing may run now
  FlightPtr create_flight(Job& job);  // REQUIRES: mu_ held; nullptr when the queue is full
  void promote(const FlightPtr& flight);  // REQUIRES: mu_ held
  void finish(const FlightPtr& flight, Result<std::string> result);
  void drop(const FlightPtr& flight);  // REQUIRES: mu_ held; nobody waits any more

  WorkFunction work_;
  const LocalJobOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                     // guarded by mu_
  bool started_ = false;                      // guarded by mu_
  FlightTable flights_;                       // guarded by mu_
  std::deque<FlightPtr> urgent_, background_; // not yet started; guarded by mu_
  int running_background_ = 0;                // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace imgflo::jobs
