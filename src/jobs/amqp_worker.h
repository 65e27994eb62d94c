// A broker worker (imgflo-worker, or the frontend's in-process workers with
// IMGFLO_WORKER=internal): consumes jobs from the urgent, background and/or
// video queue, runs them on a pool of processing threads, publishes each
// outcome on its role's result exchange and only then acks the job.
//
// Threads: one I/O thread owns the broker connection (and so keeps its
// heartbeats going while jobs run); processing happens on the pool's threads
// (a LocalJobSystem: urgent before background, background on at most
// threads-1 of them when both roles are consumed, identical keys run once;
// jobs of the video queue on `video_threads` threads of their own).
//
// Lanes (jobs/job.h): a job from the video queue always runs (as a video-lane
// job). An image job whose input turns out to be a video (the processor
// answers kVideoLane) is published, moved to the video lane, to the video
// queue's exchange with a publisher confirm, then its "video-lane" outcome
// goes to this role's result exchange, then it is acked (amqp_topology.h);
// if that publish fails the job is not acked (the broker hands it out again).
//
// Delivery guarantees:
//  - A job is acked only after WorkFunction returned (the result stored and
//    indexed) and its outcome was published with a publisher confirm. A
//    worker that dies (kill -9) or loses its connection leaves its jobs
//    unacked: the broker hands them to another worker, counting the attempt
//    (x-delivery-count); past Topology::delivery_limit the job goes to the
//    dead-letter queue instead (poison jobs that crash workers).
//  - An outcome whose connection was lost meanwhile is dropped, not acked on
//    the new connection (its tag is meaningless there): the broker redelivers
//    the job and the processor's cache re-check answers it quickly.
//  - Malformed messages are rejected without requeue (dead-lettered).
//    Jobs whose deadline has passed are answered kTimeout without running.
//  - stop(): the consumers are cancelled and no new jobs are taken (deliveries
//    already on their way are handed back, once each), running ones
//    get `drain_timeout` to finish and be acked, then the connection closes
//    (anything unfinished returns to its queue).
#pragma once

#include "broker/amqp_connection.h"
#include "broker/wakeup.h"
#include "jobs/amqp_topology.h"
#include "jobs/local_job_system.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace imgflo::jobs {

struct AmqpWorkerOptions {
  broker::AmqpOptions amqp;
  Topology topology;
  bool urgent = true;       // consume the urgent queue
  bool background = true;   // consume the background queue
  bool video = false;       // consume the video queue
  int video_threads = 1;    // processing threads for the video queue's jobs (when `video`)
  uint16_t prefetch = 2;    // unacked jobs held per queue; beyond the threads they only wait here
  int threads = 2;          // processing threads
  std::function<void()> on_thread_exit;  // per processing thread clean-up (libvips)
  std::chrono::milliseconds drain_timeout{10'000};
  std::chrono::milliseconds announce_interval{300'000};  // MsgFlo discovery re-sent this often
};

struct WorkerStats {
  uint64_t received = 0;     // deliveries
  uint64_t redelivered = 0;  // of which earlier deliveries were not acked
  uint64_t started = 0;      // handed to the processing threads
  uint64_t running = 0;      // handed over, outcome not yet acked (gauge)
  uint64_t succeeded = 0;    // outcomes published and acked
  uint64_t failed = 0;       // error outcomes published and acked
  uint64_t expired = 0;      // past their deadline on arrival
  uint64_t rejected = 0;     // malformed: dead-lettered
  uint64_t dropped = 0;      // outcomes not acked because the connection was lost
  uint64_t rerouted = 0;     // image jobs re-published to the video queue (their input was a video)
  uint64_t video_started = 0;  // of started, from the video queue
};

class AmqpWorker {
 public:
  AmqpWorker(WorkFunction work, AmqpWorkerOptions options);
  ~AmqpWorker();
  AmqpWorker(const AmqpWorker&) = delete;
  AmqpWorker& operator=(const AmqpWorker&) = delete;

  void start();
  void stop();
  // stop() with this drain timeout instead of the options' (what is left of the process's drain).
  void stop(std::chrono::milliseconds drain_timeout);
  bool wait_connected(std::chrono::milliseconds timeout);
  bool connected() const { return connected_.load(); }
  WorkerStats stats() const;

 private:
  struct Done {
    uint64_t generation, tag;
    WorkerQueue queue;
    JobOutcome outcome;
    Job job;  // as received (re-published when it moves to the video lane)
  };
  bool consumes(WorkerQueue q) const;

  void io_loop();
  Status setup(broker::AmqpConnection& c);
  void receive(broker::AmqpConnection& c);
  void stop_consuming(broker::AmqpConnection& c);
  void on_delivery(broker::AmqpConnection& c, const broker::Delivery& d);
  void reply(broker::AmqpConnection& c, WorkerQueue queue, const JobOutcome& outcome, uint64_t tag);
  // Publishes the job of a "video-lane" outcome to the video queue (confirmed); false when it failed.
  bool publish_to_video(broker::AmqpConnection& c, const Done& done);
  void finish_done(broker::AmqpConnection& c);
  void announce_all(broker::AmqpConnection& c);

  const AmqpWorkerOptions options_;
  const std::vector<std::string> participant_ids_;  // MsgFlo participant ids, one per role (WorkerQueue)
  LocalJobSystem pool_;
  broker::Wakeup wake_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::atomic<std::chrono::milliseconds::rep> drain_timeout_ms_;  // options_.drain_timeout unless stop(d)
  std::thread io_;

  // I/O thread only.
  std::unordered_map<std::string, WorkerQueue> lanes_;  // consumer tag -> queue
  size_t inflight_ = 0;  // handed to the pool, outcome not yet handled
  bool down_logged_ = false;
  std::chrono::steady_clock::time_point next_announce_{};

  mutable std::mutex mu_;
  std::condition_variable connected_cv_;
  std::deque<Done> done_;  // guarded by mu_
  WorkerStats stats_;      // guarded by mu_
};

}  // namespace imgflo::jobs
