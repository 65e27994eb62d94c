// The parts every process that runs jobs needs, wired once: graph
// catalogue, result storage, cache index, input fetchers, authenticator and
// the Processor over them.
//
// The authenticator's apps are the environment's (IMGFLO_API_*, IMGFLO_ADMIN_*)
// plus the applications database's (DATABASE_URL, default the SQLite file
// IMGFLO_WORKDIR/imgflo.db), kept current by an apps::AppWatcher: a change
// reaches requests within about a second (the watcher's poll); an env app wins
// over a database app with the same key (logged). create() fails when the
// database cannot be opened at start-up; later losses keep the last apps
// (apps_status() says so). Used by the frontend (for its handler, and its
// in-process workers) and by imgflo-worker. Owns the parts; construction
// order = dependency order, destruction in reverse.
#pragma once

#include "app/config.h"
#include "apps/app_store.h"
#include "apps/app_watcher.h"
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
  const std::shared_ptr<cache::RedisClient>& redis() const { return redis_; }  // null without Redis
  // Human-readable summary of the storage and index choice, for the start-up log.
  std::string describe() const;
  fetch::Fetcher* files() { return local_files_.get(); }
  const request::Authenticator& auth() const { return *auth_; }
  // The applications database watcher's state (/ready's "apps" check): ok, or
  // kUnavailable "apps stale since T: why" while the last loaded apps are served.
  Status apps_status() const { return app_watcher_->status(); }
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
  // Starts the AppWatcher feeding auth_ (loads the apps once, synchronously).
  Status watch_apps(const Config& config);

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
  std::unique_ptr<apps::AppWatcher> app_watcher_;  // feeds auth_ (so stops before it goes)
  std::unique_ptr<jobs::Processor> processor_;
};

std::filesystem::path resolve_resource_dir(const Config& config);
// The environment's apps: IMGFLO_API_* (no quota: processing is counted only
// for database apps), IMGFLO_ADMIN_* (admin, no quota).
std::vector<request::App> configured_apps(const Config& config);
// The database's apps as the authenticator takes them.
request::App app_from_record(apps::AppRecord record);
// `env` then every database app whose key `env` does not use; `shadowed` gets
// the keys of the database apps left out.
std::vector<request::App> merged_apps(const std::vector<request::App>& env, std::vector<apps::AppRecord> database,
                                      std::vector<std::string>& shadowed);
// DATABASE_URL, or the default SQLite file in IMGFLO_WORKDIR.
std::string database_url(const Config& config);

}  // namespace imgflo::app
