#include "app/processing.h"

#include <spdlog/spdlog.h>

#include <system_error>

namespace imgflo::app {

namespace fs = std::filesystem;

fs::path resolve_resource_dir(const Config& config) {
  if (!config.resource_dir.empty()) return config.resource_dir;
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (!ec) {
    const fs::path bundled = exe.parent_path().parent_path() / "examples";
    if (fs::is_directory(bundled)) return bundled;
  }
  return "examples";
}

std::vector<http::App> configured_apps(const Config& c) {
  std::vector<http::App> apps;
  if (!c.api_key.empty()) apps.push_back({c.api_key, c.api_secret, false});
  if (!c.admin_key.empty()) apps.push_back({c.admin_key, c.admin_secret, true});
  return apps;
}

jobs::ProcessorOptions processor_options(const Config& c) {
  jobs::ProcessorOptions o;
  o.limits.max_pixels = c.max_pixels;
  o.fetch.max_bytes = c.fetch_max_bytes;
  o.fetch.connect_timeout = c.fetch_connect_timeout;
  o.fetch.total_timeout = c.fetch_timeout;
  o.fetch.max_redirects = c.fetch_max_redirects;
  o.size_limit_megapixels = c.size_limit_megapixels;
  return o;
}

Result<std::unique_ptr<ProcessingParts>> ProcessingParts::create(const Config& config) {
  std::unique_ptr<ProcessingParts> p(new ProcessingParts());
  if (Status st = fetch::CurlFetcher::init_library(); !st.ok()) return st.take_error();

  const fs::path graphs = config.graph_dir.empty() ? runtime::default_graph_dir(nullptr) : config.graph_dir;
  auto catalogue = runtime::Catalogue::load(graphs, runtime::Catalogue::builtin_runtimes());
  if (!catalogue.ok()) return catalogue.take_error();
  p->catalogue_ = std::move(*catalogue);

  auto storage = storage::LocalStorage::open(config.workdir / "cache");
  if (!storage.ok()) return storage.take_error();
  p->storage_ = std::move(*storage);
  for (const auto& key : p->storage_->keys()) (void)p->index_.put(key, p->storage_->location(key));

  auto policy = fetch::AddressPolicy::from_allow_list(config.allow_private);
  if (!policy.ok()) return policy.take_error();
  fetch::CurlFetcher::Config curl;
  curl.policy = std::move(*policy);
  p->remote_ = std::make_unique<fetch::CurlFetcher>(std::move(curl));
  p->local_files_ = std::make_unique<fetch::LocalFileFetcher>(resolve_resource_dir(config));
  p->inputs_ = std::make_unique<fetch::InputFetcher>(*p->local_files_, *p->remote_);
  p->auth_ = std::make_unique<http::Authenticator>(configured_apps(config));
  p->processor_ = std::make_unique<jobs::Processor>(*p->catalogue_, *p->inputs_, *p->storage_, p->index_, *p->auth_,
                                                    processor_options(config));
  spdlog::info("{} graphs loaded from {}; {} stored results", p->catalogue_->names().size(), graphs.string(),
               p->index_.size());
  return p;
}

jobs::WorkFunction ProcessingParts::work() {
  jobs::Processor* processor = processor_.get();
  return [processor](const jobs::Job& job, const Stop& stop) { return processor->process(job, stop); };
}

}  // namespace imgflo::app
