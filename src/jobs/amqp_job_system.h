// The frontend's job system in the distributed mode: jobs go to RabbitMQ
// (amqp_topology.h), workers in other processes run them, and their results
// come back on this frontend's private result queue.
//
// Threads: a dedicated I/O thread owns the broker connection (rabbitmq-c is
// single-threaded); submit() and withdraw() only touch in-memory state under
// a mutex and wake that thread, so they never wait for the network. Callbacks
// run on the I/O thread (and must not block), or on the caller's thread for
// stop().
//
// Semantics (the JobSystem contract, over a broker):
//  - Coalescing: identical keys within this frontend make one job; every
//    waiter gets its outcome. A GET joining a background (POST) job also
//    publishes an urgent copy, so it never waits behind a background flood;
//    the first result answers everyone (workers re-check the cache first).
//  - Results are matched by key (a success for the key is a success for every
//    waiter, whoever's job produced it) and, for errors, by the job ids this
//    frontend published for that key.
//  - Bounds: at most `queue_limit` urgent and, separately, `queue_limit`
//    background jobs without a result yet (beyond: kOverloaded, 503), so a
//    POST flood can never refuse GETs. This also bounds the outgoing queue
//    (each job is published at most once per urgency).
//  - Broker down: submit() answers kUnavailable (503) at once. Jobs already
//    published stay in the durable queues; on reconnect every unanswered job
//    is published again (its first copy's result went to the old, deleted
//    result queue). If the broker stays unreachable for `outage_grace`, the
//    waiters get kUnavailable instead of waiting for their deadline.
//  - withdraw(): the waiter is forgotten; a job with no waiter and no
//    background interest is dropped here (and not republished). A published
//    message cannot be taken back; the worker runs it until the job's own
//    deadline (other frontends may be waiting for the same key).
//  - Lanes (jobs/job.h): a video-lane job goes to the video queue, counted
//    against `video_queue_limit`; a GET joining a video-lane flight never
//    publishes an urgent copy (it would only be moved again). A "video-lane"
//    outcome for one of our job ids (an image worker found the input to be a
//    video and re-published the job to the video queue) moves the flight to
//    the video lane: its waiters keep waiting (lane() says kVideo, the
//    handler gives them the video deadline), its expiry becomes the job's
//    video deadline, and a reconnect re-publishes it to the video queue.
//  - No video worker: while video-lane flights wait, the I/O thread checks
//    the video queue's consumers once per loop tick; with none for
//    `no_video_worker_grace`, their waiters are answered kUnavailable (503)
//    instead of waiting out the video deadline (a POST's job stays queued).
//  - Expiry: a flight without a result is answered kTimeout a grace period
//    after its latest job's deadline (one hour when it has none). The I/O
//    thread reads the time (expiry, sweeps, outage grace, announcements)
//    only through `AmqpJobOptions::clock`, so tests can drive it.
// The coalescing bookkeeping is a FlightTable guarded by mu_.
#pragma once

#include "broker/amqp_connection.h"
#include "broker/wakeup.h"
#include "core/clock.h"
#include "jobs/amqp_topology.h"
#include "jobs/flight_table.h"
#include "jobs/job_system.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace imgflo::jobs {

struct AmqpJobOptions {
  broker::AmqpOptions amqp;
  Topology topology;
  std::string participant_id;   // "" = imgflo_api-<random>
  size_t queue_limit = 64;      // unanswered image jobs per urgency
  size_t video_queue_limit = 8; // unanswered jobs published to the video queue
  std::chrono::milliseconds outage_grace{5'000};
  std::chrono::milliseconds no_video_worker_grace{5'000};
  std::chrono::milliseconds announce_interval{300'000};  // MsgFlo discovery re-sent this often
  // Called on the I/O thread for each success result (e.g. to fill an
  // in-memory cache index). Must not block.
  std::function<void(const std::string& key, const std::string& location)> on_stored;
  // The time source of the I/O thread (tests pass a ManualClock; it must outlive the job system).
  std::reference_wrapper<const ClockSource> clock = system_clock();
};

class AmqpJobSystem final : public JobSystem {
 public:
  explicit AmqpJobSystem(AmqpJobOptions options);
  ~AmqpJobSystem() override;
  AmqpJobSystem(const AmqpJobSystem&) = delete;
  AmqpJobSystem& operator=(const AmqpJobSystem&) = delete;

  // Starts the I/O thread, which connects in the background (with backoff).
  void start();
  // Publishes the jobs not yet sent (a POST answered 202 is never lost to a
  // graceful stop) and waits up to kStopPublishWait for their confirms, then
  // closes the connection; unanswered waiters get kCancelled; joins the I/O
  // thread. The frontend's drain calls it only once its waiters were answered:
  // until then the result queue keeps consuming.
  void stop();
  static constexpr std::chrono::milliseconds kStopPublishWait{2'000};
  // Waits until connected (or `timeout`); for start-up logs and tests.
  bool wait_connected(std::chrono::milliseconds timeout);
  bool connected() const { return connected_.load(); }
  const std::string& participant_id() const { return participant_id_; }

  Result<uint64_t> submit(Job job, JobCallback done) override;
  void withdraw(uint64_t ticket) override;
  JobStats stats() const override;
  Lane lane(uint64_t ticket) const override;
  // kUnavailable at once when not connected; else the I/O thread declares
  // this frontend's result queue again (a round trip on its channel) and the
  // answer comes within `timeout` (else kTimeout).
  Status ping(std::chrono::milliseconds timeout) override;

 private:
  struct Flight final : FlightTable::Flight {
    using FlightTable::Flight::Flight;
    std::optional<Job> urgent, background, video;  // the job published to each queue
    std::vector<std::string> ids;           // every job id published for this key
    WorkerQueue counted = WorkerQueue::kUrgent;  // which limit it counts against
    Clock::time_point expires_at{};         // forgotten after this (latest job deadline), on options_.clock
    std::optional<Job>& published(WorkerQueue queue);
  };
  using Completion = FlightTable::Completion;
  static Flight& amqp(const FlightTable::FlightPtr& f) { return static_cast<Flight&>(*f); }

  // I/O thread.
  void io_loop();
  Status setup(broker::AmqpConnection& c);
  void on_connected(broker::AmqpConnection& c);
  void on_unreachable(const Error& e);
  void publish(broker::AmqpConnection& c, const Job& job);
  void send_outgoing(broker::AmqpConnection& c);
  void publish_before_closing(broker::AmqpConnection& c);
  void drain_events(broker::AmqpConnection& c);
  void on_result(const broker::Delivery& d);
  void on_confirm(const broker::Confirm& confirm);
  void sweep();
  void check_video_workers(broker::AmqpConnection& c);  // see "No video worker" above
  void answer_pings(broker::AmqpConnection& c);  // ping()s asked since the last answer
  Clock::time_point now() const { return options_.clock.get().now(); }

  // REQUIRES: mu_ held.
  FlightTable::FlightPtr create_flight(const std::string& key, WorkerQueue queue);  // nullptr over the limit
  void enqueue(Flight& f, Job job);
  Clock::time_point expiry(int64_t deadline_ms) const;  // on options_.clock; an hour for 0
  // The "video-lane" outcome of job `id`: the flight moves to the video lane (see the class comment).
  void move_to_video(Flight& f, const std::string& id);
  std::optional<Completion> take(const std::string& key, Result<std::string> result);
  Completion finish(const FlightTable::FlightPtr& flight, Result<std::string> result);
  void forget(const FlightTable::FlightPtr& flight);
  Error unavailable() const;

  const AmqpJobOptions options_;
  const std::string participant_id_;
  broker::Wakeup wake_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> stopping_{false};
  std::thread io_;

  // I/O thread only.
  std::optional<Clock::time_point> down_since_;
  bool outage_reported_ = false;  // waiters were answered 503 for this outage
  bool failure_logged_ = false;   // a failed attempt of this outage was logged as a warning
  std::map<uint64_t, std::string> unconfirmed_;  // publish sequence number -> key
  Clock::time_point next_announce_{}, next_sweep_{}, next_video_check_{};
  std::optional<Clock::time_point> no_video_worker_since_;

  std::atomic<uint64_t> pings_asked_{0};

  mutable std::mutex mu_;
  std::condition_variable connected_cv_;
  std::condition_variable pong_cv_;                      // pings_answered_ moved
  uint64_t pings_answered_ = 0;                          // guarded by mu_; written by the I/O thread
  Status last_pong_ = ok_status();                       // guarded by mu_
  FlightTable flights_;                                  // guarded by mu_
  std::deque<Job> outgoing_;                             // to publish; guarded by mu_
  size_t counted_[std::size(kWorkerQueues)] = {};        // flights per limit (WorkerQueue); guarded by mu_
};

}  // namespace imgflo::jobs
