#include "app/services.h"

#include "app/distributed.h"
#include "app/vips_init.h"
#include "cache/memory_quota_counter.h"
#include "cache/redis_quota_counter.h"
#include "core/version.h"

#include <spdlog/spdlog.h>
#include <vips/vips8>

#include <algorithm>

namespace imgflo::app {

namespace {

// How long start-up waits for the broker before serving anyway (requests get 503 until it connects).
constexpr std::chrono::milliseconds kBrokerStartupWait{5'000};

// The broker job system, with the started/running counts of this process's own worker (the frontend
// alone cannot know when a published job starts).
class WithWorkerStats final : public jobs::JobSystem {
 public:
  WithWorkerStats(jobs::JobSystem& jobs, const jobs::AmqpWorker& worker) : jobs_(jobs), worker_(worker) {}
  Result<uint64_t> submit(jobs::Job job, jobs::JobCallback done) override {
    return jobs_.submit(std::move(job), std::move(done));
  }
  void withdraw(uint64_t ticket) override { jobs_.withdraw(ticket); }
  jobs::Lane lane(uint64_t ticket) const override { return jobs_.lane(ticket); }
  Status ping(std::chrono::milliseconds timeout) override { return jobs_.ping(timeout); }
  jobs::JobStats stats() const override {
    jobs::JobStats s = jobs_.stats();
    const jobs::WorkerStats w = worker_.stats();
    s.started = w.started;
    s.running = w.running;
    return s;
  }

 private:
  jobs::JobSystem& jobs_;
  const jobs::AmqpWorker& worker_;
};

}  // namespace

std::string version_json() {
  return nlohmann::json{{"server", "imgflo-server " IMGFLO_VERSION},
                        {"runtime", std::string("libvips ") + vips_version_string()}}
      .dump();  // constant ASCII text
}

Result<std::unique_ptr<FrontendServices>> FrontendServices::create(const Config& config) {
  std::unique_ptr<FrontendServices> s(new FrontendServices());
  s->config_ = config;
  auto parts = ProcessingParts::create(config);
  if (!parts.ok()) return parts.take_error();
  s->parts_ = std::move(*parts);
  if (const auto& redis = s->parts_->redis()) {  // one quota for every frontend on this Redis
    cache::RedisQuotaCounter::Options quota{config.redis.prefix};
    s->quota_ = std::make_unique<cache::RedisQuotaCounter>(redis, std::move(quota));
  } else {
    s->quota_ = std::make_unique<cache::MemoryQuotaCounter>();
  }

  if (config.broker.url.empty()) {
    jobs::LocalJobOptions jo = config.jobs;
    jo.on_thread_exit = vips_thread_done;
    s->local_jobs_ = std::make_unique<jobs::LocalJobSystem>(s->parts_->work(), jo);
    s->local_jobs_->start();
    s->jobs_ = s->local_jobs_.get();
    return s;
  }

  jobs::AmqpJobOptions jo = job_system_options(config);
  if (cache::MemoryCacheIndex* memory = s->parts_->memory_index()) {
    // A private index learns about results the workers stored (a shared index is filled by the workers).
    jo.on_stored = [memory](const std::string& key, const std::string& location) { (void)memory->put(key, location); };
  }
  s->broker_jobs_ = std::make_unique<jobs::AmqpJobSystem>(std::move(jo));
  s->broker_jobs_->start();
  s->jobs_ = s->broker_jobs_.get();
  if (config.broker.worker_mode == "internal") {
    s->internal_worker_ =
        std::make_unique<jobs::AmqpWorker>(s->parts_->work(), worker_options(config, "imgflo-server worker"));
    s->internal_worker_->start();
    s->combined_ = std::make_unique<WithWorkerStats>(*s->broker_jobs_, *s->internal_worker_);
    s->jobs_ = s->combined_.get();
  }
  if (!s->broker_jobs_->wait_connected(kBrokerStartupWait)) {
    spdlog::warn("the message broker is not reachable yet; graph requests get 503 until it is");
  }
  return s;
}

std::string FrontendServices::describe() const {
  if (local_jobs_) {
    return std::to_string(config_.jobs.workers) + " in-process workers, " + std::to_string(config_.jobs.video_workers) +
           " for videos";
  }
  auto url = broker::parse_broker_url(config_.broker.url);
  return "jobs via " + (url.ok() ? url->redacted() : std::string("the broker")) + " as " +
         broker_jobs_->participant_id() +
         (internal_worker_ ? ", " + std::to_string(config_.jobs.workers) + " in-process broker workers"
                           : ", external workers");
}

std::unique_ptr<http::Handler> FrontendServices::make_handler(http::EventLoop& loop) {
  http::HandlerOptions o = config_.handler;
  o.version_info = version_json();
  http::Services services{parts_->catalogue(), parts_->index(),  parts_->storage(), parts_->local_storage(),
                          *jobs_,              parts_->auth(),   parts_->files()};
  services.apps_status = [parts = parts_.get()] { return parts->apps_status(); };
  services.quota = quota_.get();
  if (local_jobs_ || internal_worker_) {  // this process runs jobs
    services.memory = &parts_->memory();
    services.job_metrics = &parts_->job_metrics();
  }
  return std::make_unique<http::Handler>(services, o, loop);
}

void FrontendServices::shutdown(Clock::time_point until) {
  if (local_jobs_ && !local_jobs_->wait_idle(until)) {
    spdlog::warn("drain timeout: cancelling the in-process jobs still queued or running");
  }
  if (local_jobs_) local_jobs_->stop();
  if (internal_worker_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    internal_worker_->stop(std::max(left, std::chrono::milliseconds(0)));
  }
  if (broker_jobs_) broker_jobs_->stop();
  if (storage::LocalStorage* local = parts_->local_storage()) local->flush();
}

}  // namespace imgflo::app
