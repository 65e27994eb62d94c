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
//
// The video lane (jobs/job.h, Lane): video-lane jobs wait in a queue of their
// own (video_queue_limit) and run only on `video_workers` threads of their
// own; the image threads never run one, so images never wait behind a video.
// A job submitted in the video lane goes there at once; an image-lane job
// whose work answers kVideoLane (its input turned out to be a video) is moved
// there with its waiters when move_to_video_lane (its deadline becomes its
// video_deadline_ms, its flight's lane kVideo: lane(ticket) tells waiters),
// or answered kOverloaded when the video queue is full; without
// move_to_video_lane the kVideoLane answer goes to the waiters (a broker
// worker re-publishes the job to the video queue). A video-lane job is never
// moved again: the work function runs it as a video.
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
  int workers = 2;         // image threads; >= 1
  size_t queue_limit = 64; // image jobs waiting to start (coalesced submissions don't count)
  std::function<void()> on_thread_exit;  // per worker thread clean-up (libvips)
  int video_workers = 1;   // video threads; 0 = no video lane (video-lane submissions are refused)
  size_t video_queue_limit = 4;   // video jobs waiting to start
  bool move_to_video_lane = true; // kVideoLane answers move the job (else they are the job's outcome)
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
  Lane lane(uint64_t ticket) const override;
  // Ok between start() and stop() (submit() then takes jobs unless the queue is full).
  Status ping(std::chrono::milliseconds timeout) override;

 private:
  struct Flight final : FlightTable::Flight {
    explicit Flight(Job j) : FlightTable::Flight(j.key), job(std::move(j)) {}
    Job job;
    bool started = false;
    bool urgent = false;
    Stop stop;
    bool video() const { return lane == Lane::kVideo; }
  };
  using FlightPtr = std::shared_ptr<Flight>;
  static FlightPtr local(const FlightTable::FlightPtr& f) { return std::static_pointer_cast<Flight>(f); }

  void worker_loop(Lane lane);
  // REQUIRES: mu_ held; nullptr when nothing may run now on a thread of `lane`.
  FlightPtr next_flight(Lane lane);
  std::deque<FlightPtr>& queue_of(const Flight& flight);  // REQUIRES: mu_ held
  bool idle() const;  // REQUIRES: mu_ held; nothing queued or running
  // A job whose work answered kVideoLane: into the video queue (true), or false when it is to be
  // answered (no move wanted, stopping, cancelled, video queue full: `result` says why). REQUIRES: mu_ held.
  bool move_to_video(const FlightPtr& flight, Result<std::string>& result);
  std::condition_variable& lane_cv(Lane lane);
  void notify_all_lanes();
  FlightPtr create_flight(Job& job);  // REQUIRES: mu_ held; nullptr when the queue is full
  void promote(const FlightPtr& flight);  // REQUIRES: mu_ held
  void finish(const FlightPtr& flight, Result<std::string> result);
  void drop(const FlightPtr& flight);  // REQUIRES: mu_ held; nobody waits any more

  WorkFunction work_;
  const LocalJobOptions options_;

  mutable std::mutex mu_;
  // Threads of a lane wait on its condition (a job of the lane queued, or stopping); wait_idle() on
  // idle_cv_, notified after every job.
  std::condition_variable image_cv_, video_cv_, idle_cv_;
  bool stopping_ = false;                     // guarded by mu_
  bool started_ = false;                      // guarded by mu_
  FlightTable flights_;                       // guarded by mu_
  std::deque<FlightPtr> urgent_, background_, video_; // not yet started; guarded by mu_
  int running_background_ = 0;                // guarded by mu_
  int running_video_ = 0;                     // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace imgflo::jobs
