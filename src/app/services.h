// Wiring of the embedded default: every part in one process. Owns the parts
// and their lifetimes (construction order = dependency order, destruction in
// reverse). The distributed mode swaps parts here, behind the same seams.
#pragma once

#include "app/config.h"
#include "cache/memory_cache_index.h"
#include "fetch/curl_fetcher.h"
#include "fetch/local_files.h"
#include "http/auth.h"
#include "http/handler.h"
#include "jobs/local_job_system.h"
#include "jobs/processor.h"
#include "runtime/catalogue.h"
#include "storage/local_storage.h"

#include <memory>

namespace imgflo::app {

class EmbeddedServices {
 public:
  static Result<std::unique_ptr<EmbeddedServices>> create(const Config& config);
  std::unique_ptr<http::Handler> make_handler(http::EventLoop& loop);
  // Stops the workers (queued jobs are cancelled); call before destruction.
  void shutdown();

 private:
  EmbeddedServices() = default;
  Config config_;
  std::unique_ptr<runtime::Catalogue> catalogue_;
  std::unique_ptr<storage::LocalStorage> storage_;
  cache::MemoryCacheIndex index_;
  std::unique_ptr<fetch::LocalFileFetcher> local_files_;
  std::unique_ptr<fetch::CurlFetcher> remote_;
  std::unique_ptr<fetch::InputFetcher> inputs_;
  std::unique_ptr<http::Authenticator> auth_;
  std::unique_ptr<jobs::Processor> processor_;
  std::unique_ptr<jobs::LocalJobSystem> jobs_;
};

// Helpers shared with the other executables.
std::filesystem::path resolve_resource_dir(const Config& config);
std::vector<http::App> configured_apps(const Config& config);
jobs::ProcessorOptions processor_options(const Config& config);
std::string version_json();

}  // namespace imgflo::app
