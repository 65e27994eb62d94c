#include "app/processing.h"
#include "app/runtimes.h"

#include "apps/database_url.h"
#include "apps/open_app_store.h"

#include "cache/layered_index.h"
#include "cache/redis_cache_index.h"
#include "cache/redis_inflight.h"
#include "cache/storage_index.h"
#include "core/bundled_dir.h"
#include "storage/s3_storage.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <system_error>

namespace imgflo::app {

namespace fs = std::filesystem;

fs::path resolve_resource_dir(const Config& config) {
  if (!config.files.resource_dir.empty()) return config.files.resource_dir;
  return bundled_dir("examples");
}

std::vector<request::App> configured_apps(const Config& c) {
  std::vector<request::App> apps;
  if (!c.auth.api_key.empty()) apps.push_back({c.auth.api_key, c.auth.api_secret, false});
  if (!c.auth.admin_key.empty()) apps.push_back({c.auth.admin_key, c.auth.admin_secret, true});
  for (auto& app : apps) app.label = app.admin ? "IMGFLO_ADMIN_KEY" : "IMGFLO_API_KEY";
  return apps;
}

request::App app_from_record(apps::AppRecord r) {
  request::App app{std::move(r.key), std::move(r.secret), r.admin, r.processing_quota, r.enabled};
  app.previous_secret = std::move(r.previous_secret);
  app.previous_secret_expires_at = r.previous_secret_expires_at;
  app.label = std::move(r.label);
  return app;
}

std::vector<request::App> merged_apps(const std::vector<request::App>& env, std::vector<apps::AppRecord> database,
                                      std::vector<std::string>& shadowed) {
  std::vector<request::App> merged = env;
  merged.reserve(env.size() + database.size());
  for (auto& record : database) {
    const bool taken = std::any_of(env.begin(), env.end(), [&](const request::App& a) { return a.key == record.key; });
    if (taken) {
      shadowed.push_back(record.key);
    } else {
      merged.push_back(app_from_record(std::move(record)));
    }
  }
  return merged;
}

std::string database_url(const Config& config) {
  return config.database_url.empty() ? apps::default_database_url(config.files.workdir) : config.database_url;
}

Result<std::unique_ptr<ProcessingParts>> ProcessingParts::create(const Config& config) {
  std::unique_ptr<ProcessingParts> p(new ProcessingParts());
  if (Status st = fetch::CurlFetcher::init_library(); !st.ok()) return st.take_error();

  const fs::path graphs = config.files.graph_dir.empty() ? runtime::default_graph_dir() : config.files.graph_dir;
  auto catalogue = runtime::Catalogue::load(graphs, app::builtin_runtimes());
  if (!catalogue.ok()) return catalogue.take_error();
  p->catalogue_ = std::move(*catalogue);

  if (Status st = p->open_storage(config); !st.ok()) return st.take_error();
  if (Status st = p->open_index(config); !st.ok()) return st.take_error();

  auto policy = fetch::AddressPolicy::from_allow_list(config.allow_private);
  if (!policy.ok()) return policy.take_error();
  fetch::CurlFetcher::Config curl;
  curl.policy = std::move(*policy);
  p->remote_ = std::make_unique<fetch::CurlFetcher>(std::move(curl));
  p->local_files_ = std::make_unique<fetch::LocalFileFetcher>(resolve_resource_dir(config));
  p->inputs_ = std::make_unique<fetch::InputFetcher>(*p->local_files_, *p->remote_);
  p->auth_ = std::make_unique<request::Authenticator>(configured_apps(config));
  if (Status st = p->watch_apps(config); !st.ok()) return st.take_error();
  p->processor_ = std::make_unique<jobs::Processor>(*p->catalogue_, *p->inputs_, *p->storage_, *p->index_, *p->auth_,
                                                    config.processor, p->inflight_.get());
  spdlog::info("{} graphs loaded from {}; {}", p->catalogue_->names().size(), graphs.string(), p->describe());
  spdlog::info("memory admission: jobs run while their estimates add up to at most {} MB (IMGFLO_MEMORY_LIMIT{})",
               config.processor.memory_limit >> 20, config.processor.memory_limit ? "" : " = 0: off");
  return p;
}

Status ProcessingParts::watch_apps(const Config& config) {
  const std::string url = database_url(config);
  auto parsed = apps::parse_database_url(url);
  if (!parsed.ok()) return Error(ErrorKind::kInvalidArgument, "DATABASE_URL: " + parsed.error().message());
  const std::string where = parsed->redacted();
  if (parsed->kind == apps::DatabaseUrl::Kind::kSqlite && config.database_url.empty()) {
    std::error_code ignored;  // the default file's folder; opening reports what still fails
    fs::create_directories(config.files.workdir, ignored);
  }
  request::Authenticator* auth = auth_.get();
  auto on_apps = [auth, env = configured_apps(config), where](std::vector<apps::AppRecord> records) {
    std::vector<std::string> shadowed;
    const size_t from_database = records.size();
    auth->replace(merged_apps(env, std::move(records), shadowed));
    for (const auto& key : shadowed) {
      spdlog::warn("app {} of the applications database is ignored: the environment's app has the same key", key);
    }
    spdlog::info("apps loaded: {} from {}, {} from the environment; auth {}", from_database - shadowed.size(), where,
                 env.size(), auth->enabled() ? "on" : "off (no app)");
  };
  app_watcher_ = std::make_unique<apps::AppWatcher>(apps::app_store_opener(url), std::move(on_apps));
  if (Status st = app_watcher_->start(); !st.ok()) {
    return Error(st.error().kind(), "applications database " + where + ": " + st.error().message());
  }
  return ok_status();
}

Status ProcessingParts::open_storage(const Config& config) {
  if (config.uses_s3()) {
    auto store = storage::S3Storage::create(config.s3);
    if (!store.ok()) return store.take_error();
    storage_ = std::move(*store);
    return ok_status();
  }
  // Publish in the background only when this process alone writes and serves the folder (embedded jobs,
  // in-memory index); with a broker or Redis, others read it: publish before answering.
  const bool shared = config.uses_redis() || !config.broker.url.empty();
  const auto durability =
      shared ? storage::LocalStorage::Durability::kBeforeAnswer : storage::LocalStorage::Durability::kBackground;
  auto store = storage::LocalStorage::open(config.files.workdir / "cache", durability);
  if (!store.ok()) return store.take_error();
  local_storage_ = store->get();
  storage_ = std::move(*store);
  return ok_status();
}

Status ProcessingParts::open_index(const Config& config) {
  if (!config.uses_redis()) {
    auto memory = std::make_shared<cache::MemoryCacheIndex>();
    memory_index_ = memory.get();
    if (local_storage_) {
      for (const auto& key : local_storage_->keys()) (void)memory->put(key, local_storage_->location(key));
      index_ = memory;
    } else {  // s3: remember what this process saw, ask the bucket otherwise
      index_ = std::make_shared<cache::LayeredIndex>(memory, std::make_shared<cache::StorageIndex>(*storage_));
    }
    return ok_status();
  }
  auto client = cache::RedisClient::create(config.redis.client);
  if (!client.ok()) return client.take_error();
  redis_ = std::move(*client);
  const cache::RedisIndexSettings& redis = config.redis;
  auto primary =
      std::make_shared<cache::RedisCacheIndex>(redis_, cache::RedisCacheIndex::Options{redis.ttl, redis.prefix});
  // Like the original's redis front: a miss asks the store, and a found result is put into Redis.
  index_ = std::make_shared<cache::LayeredIndex>(primary, std::make_shared<cache::StorageIndex>(*storage_));
  cache::RedisInflight::Options inflight;
  inflight.prefix = redis.prefix;
  inflight_ = std::make_shared<cache::RedisInflight>(redis_, inflight);
  return ok_status();
}

std::string ProcessingParts::describe() const {
  std::string where = local_storage_ ? "results in " + local_storage_->dir().string() : "results in S3";
  std::string index = redis_ ? "Redis index" : "in-memory index";
  if (memory_index_ && local_storage_) index += " (" + std::to_string(memory_index_->size()) + " stored results)";
  return where + ", " + index;
}

jobs::WorkFunction ProcessingParts::work() {
  jobs::Processor* processor = processor_.get();
  return [processor](const jobs::Job& job, const Stop& stop) { return processor->process(job, stop); };
}

}  // namespace imgflo::app
