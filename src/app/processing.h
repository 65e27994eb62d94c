// The parts every process that runs jobs needs, wired once: graph
// catalogue, result storage, cache index, input fetchers, authenticator and
// the Processor over them. Used by the frontend (for its handler, and its
// in-process workers) and by imgflo-worker. Owns the parts; construction
// order = dependency order, destruction in reverse.
#pragma once

#include "app/config.h"
#include "cache/memory_cache_index.h"
#include "fetch/curl_fetcher.h"
#include "fetch/local_files.h"
#include "http/auth.h"
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
  storage::LocalStorage* local_storage() { return storage_.get(); }  // null when results live elsewhere
  cache::CacheIndex& index() { return index_; }
  cache::MemoryCacheIndex* memory_index() { return &index_; }  // null when the index is shared (Redis)
  fetch::Fetcher* files() { return local_files_.get(); }
  const http::Authenticator& auth() const { return *auth_; }
  // Processor::process as a job system's work function.
  jobs::WorkFunction work();

 private:
  ProcessingParts() = default;
  std::unique_ptr<runtime::Catalogue> catalogue_;
  std::unique_ptr<storage::LocalStorage> storage_;
  cache::MemoryCacheIndex index_;
  std::unique_ptr<fetch::LocalFileFetcher> local_files_;
  std::unique_ptr<fetch::CurlFetcher> remote_;
  std::unique_ptr<fetch::InputFetcher> inputs_;
  std::unique_ptr<http::Authenticator> auth_;
  std::unique_ptr<jobs::Processor> processor_;
};

std::filesystem::path resolve_resource_dir(const Config& config);
std::vector<http::App> configured_apps(const Config& config);
jobs::ProcessorOptions processor_options(const Config& config);

}  // namespace imgflo::app
