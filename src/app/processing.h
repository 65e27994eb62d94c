// The parts every process that runs jobs needs, wired once: graph
// catalogue, result storage, cache index, input fetchers, authenticator and
// the Processor over them. Used by the frontend (for its handler, and its
// in-process workers) and by imgflo-worker. Owns the parts; construction
// order = dependency order, destruction in reverse.
#pragma once

#include "app/config.h"
#include "cache/inflight.h"
#include "cache/memory_cache_index.h"
#include "cache/redis_client.h"
#include "fetch/curl_fetcher.h"
#include "fetch/local_files.h"
#include "request/auth.h"
#include "jobs/local_job_system.h"
#include "jobs/processor.h"
#include "runtime/catalogue.h"
#include "storage/local_storage.h"

#include <memory>

namespace imgflo::app {

class ProcessingParts {
 public:
  static Result<std::unique_ptr<ProcessingParts>> create(const Config& config);

  const runtime::Catalogue& catalogue() const { return *catalogue_; }
  storage::Storage& storage() { return *storage_; }
  storage::LocalStorage* local_storage() { return local_storage_; }  // null when results live in S3
  cache::CacheIndex& index() { return *index_; }
  cache::MemoryCacheIndex* memory_index() { return memory_index_; }  // null when the index is shared (Redis)
  // Human-readable summary of the storage and index choice, for the start-up log.
  std::string describe() const;
  fetch::Fetcher* files() { return local_files_.get(); }
  const request::Authenticator& auth() const { return *auth_; }
  // The processor's memory admission (jobs/memory_budget.h), for /metrics.
  const jobs::MemoryBudget& memory() const { return processor_->memory(); }
  // The metrics of the jobs the processor ran (jobs/job_metrics.h), for /metrics.
  const jobs::JobMetrics& job_metrics() const { return processor_->metrics(); }
  // Processor::process as a job system's work function.
  jobs::WorkFunction work();

 private:
  ProcessingParts() = default;
  Status open_storage(const Config& config);
  Status open_index(const Config& config);

  std::unique_ptr<runtime::Catalogue> catalogue_;
  std::unique_ptr<storage::Storage> storage_;
  storage::LocalStorage* local_storage_ = nullptr;  // storage_ when it is local
  std::shared_ptr<cache::RedisClient> redis_;
  std::shared_ptr<cache::CacheIndex> index_;
  cache::MemoryCacheIndex* memory_index_ = nullptr;  // index_ (or its primary) when private
  std::shared_ptr<cache::InflightMarkers> inflight_;
  std::unique_ptr<fetch::LocalFileFetcher> local_files_;
  std::unique_ptr<fetch::CurlFetcher> remote_;
  std::unique_ptr<fetch::InputFetcher> inputs_;
  std::unique_ptr<request::Authenticator> auth_;
  std::unique_ptr<jobs::Processor> processor_;
};

std::filesystem::path resolve_resource_dir(const Config& config);
std::vector<request::App> configured_apps(const Config& config);

}  // namespace imgflo::app
