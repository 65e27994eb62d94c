#include "app/services.h"

#include "app/vips_init.h"

#include <spdlog/spdlog.h>
#include <vips/vips8>

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

std::string version_json() {
  return nlohmann::json{{"server", "imgflo-server 0.1.0"},
                        {"runtime", std::string("libvips ") + vips_version_string()}}
      .dump();
}

Result<std::unique_ptr<EmbeddedServices>> EmbeddedServices::create(const Config& config) {
  std::unique_ptr<EmbeddedServices> s(new EmbeddedServices());
  s->config_ = config;
  if (Status st = fetch::CurlFetcher::init_library(); !st.ok()) return st.take_error();

  const fs::path graphs = config.graph_dir.empty() ? runtime::default_graph_dir(nullptr) : config.graph_dir;
  auto catalogue = runtime::Catalogue::load(graphs, runtime::Catalogue::builtin_runtimes());
  if (!catalogue.ok()) return catalogue.take_error();
  s->catalogue_ = std::move(*catalogue);

  auto storage = storage::LocalStorage::open(config.workdir / "cache");
  if (!storage.ok()) return storage.take_error();
  s->storage_ = std::move(*storage);
  for (const auto& key : s->storage_->keys()) (void)s->index_.put(key, s->storage_->location(key));

  auto policy = fetch::AddressPolicy::from_allow_list(config.allow_private);
  if (!policy.ok()) return policy.take_error();
  fetch::CurlFetcher::Config curl;
  curl.policy = std::move(*policy);
  s->remote_ = std::make_unique<fetch::CurlFetcher>(std::move(curl));
  s->local_files_ = std::make_unique<fetch::LocalFileFetcher>(resolve_resource_dir(config));
  s->inputs_ = std::make_unique<fetch::InputFetcher>(*s->local_files_, *s->remote_);
  s->auth_ = std::make_unique<http::Authenticator>(configured_apps(config));

  s->processor_ = std::make_unique<jobs::Processor>(*s->catalogue_, *s->inputs_, *s->storage_, s->index_, *s->auth_,
                                                    processor_options(config));
  jobs::LocalJobOptions jo;
  jo.workers = config.workers;
  jo.queue_limit = config.queue_limit;
  jo.on_thread_exit = vips_thread_done;
  auto* processor = s->processor_.get();
  s->jobs_ = std::make_unique<jobs::LocalJobSystem>(
      [processor](const jobs::Job& job, const Stop& stop) { return processor->process(job, stop); }, jo);
  s->jobs_->start();
  spdlog::info("{} graphs loaded from {}; {} stored results", s->catalogue_->names().size(), graphs.string(),
               s->index_.size());
  return s;
}

std::unique_ptr<http::Handler> EmbeddedServices::make_handler(http::EventLoop& loop) {
  http::HandlerOptions o;
  o.size_limit_megapixels = config_.size_limit_megapixels;
  o.request_timeout = config_.request_timeout;
  o.background_timeout = config_.background_timeout;
  o.public_base = config_.public_url;
  o.version_info = version_json();
  http::Services services{*catalogue_, index_, *storage_, storage_.get(), *jobs_, *auth_, local_files_.get()};
  return std::make_unique<http::Handler>(services, o, loop);
}

void EmbeddedServices::shutdown() {
  if (jobs_) jobs_->stop();
}

}  // namespace imgflo::app
