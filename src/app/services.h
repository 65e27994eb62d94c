// Wiring of the frontend (imgflo-server): the processing parts plus the job
// system the configuration selects. Owns everything; construction order =
// dependency order, destruction in reverse.
//
//  - No IMGFLO_BROKER_URL (the embedded default): in-process queue and
//    worker threads (LocalJobSystem), images and videos on pools of their own.
//  - IMGFLO_BROKER_URL set: jobs go to RabbitMQ (AmqpJobSystem). With
//    IMGFLO_WORKER=internal (the default, as in the original) this process
//    also runs a broker worker consuming the queues of IMGFLO_WORKER_ROLE
//    (all by default) with IMGFLO_WORKERS threads (IMGFLO_VIDEO_WORKERS for
//    videos); it goes through the broker rather than straight to the pool so
//    that jobs are durable, shared with other frontends' workers and
//    survive this process. With external it only publishes.
#pragma once

#include "app/config.h"
#include "app/processing.h"
#include "cache/quota_counter.h"
#include "core/clock.h"
#include "http/handler.h"
#include "jobs/amqp_job_system.h"
#include "jobs/amqp_worker.h"
#include "jobs/local_job_system.h"

#include <memory>

namespace imgflo::app {

class FrontendServices {
 public:
  static Result<std::unique_ptr<FrontendServices>> create(const Config& config);
  std::unique_ptr<http::Handler> make_handler(http::EventLoop& loop);
  // The end of a graceful stop (after the HTTP drain answered its requests):
  // in-process jobs (a POST's too) get until `until` to finish, the in-process
  // broker worker's running jobs too; then the workers stop (what is left is
  // cancelled, or goes back to the broker's queue), the broker job system
  // publishes what it has not sent yet and closes, and the local storage
  // publishes every result it answered (storage/local_storage.h, flush()).
  // Call once, before destruction; `until` = now for an immediate stop.
  void shutdown(Clock::time_point until);
  // For the start-up log line.
  std::string describe() const;

 private:
  FrontendServices() = default;
  Config config_;
  std::unique_ptr<ProcessingParts> parts_;
  std::unique_ptr<cache::QuotaCounter> quota_;  // in Redis when the index is (shared by the frontends), else here
  std::unique_ptr<jobs::LocalJobSystem> local_jobs_;
  std::unique_ptr<jobs::AmqpJobSystem> broker_jobs_;
  std::unique_ptr<jobs::AmqpWorker> internal_worker_;
  std::unique_ptr<jobs::JobSystem> combined_;  // broker_jobs_ + internal_worker_'s counts
  jobs::JobSystem* jobs_ = nullptr;
};

std::string version_json();

}  // namespace imgflo::app
