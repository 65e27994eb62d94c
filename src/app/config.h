// Configuration of imgflo-server and imgflo-worker: environment variables
// (compatible with the original where it had names) overridden by command
// line flags. Every setting is described once, in the table in config.cc,
// which also produces --help.
//
// Each part owns its settings struct and the defaults in it (http::ServerOptions,
// http::HandlerOptions, jobs::ProcessorOptions with fetch::FetchOptions and
// runtime::DecodeLimits, jobs::LocalJobOptions, jobs::Topology,
// cache::RedisIndexSettings, storage::S3Config); Config holds one of each, and
// --help shows the defaults read from them. Only the choices of the
// application itself (files, job system, broker mode, cache kind, thread
// counts defaulting to the number of CPUs) are defined here.
//
// load() parses everything in one pass and validates what depends on several
// settings (Redis URL, S3 settings when results live in S3, broker URL, key
// pairs, the SSRF allow-list), so that every problem is reported together at
// start-up, before anything runs.
#pragma once

#include "cache/redis_config.h"
#include "core/error.h"
#include "core/log_format.h"
#include "http/handler.h"
#include "http/server.h"
#include "jobs/amqp_topology.h"
#include "jobs/amqp_worker.h"
#include "jobs/local_job_system.h"
#include "jobs/processor.h"
#include "storage/s3_config.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace imgflo::app {

// Keys and secrets of the two apps (IMGFLO_API_*, IMGFLO_ADMIN_*); all empty = no auth.
struct AuthSettings {
  std::string api_key, api_secret, admin_key, admin_secret;
};

// Folders.
struct FileSettings {
  std::filesystem::path workdir = "temp";  // results in workdir/cache (local storage)
  std::filesystem::path graph_dir;         // "" = runtime::default_graph_dir()
  std::filesystem::path resource_dir;      // "" = <exe>/../examples, else ./examples
};

// Distributed mode (RabbitMQ). See src/jobs/amqp_topology.h for the queues.
struct BrokerSettings {
  std::string url;                       // "" = in-process jobs (the embedded default)
  std::string worker_mode = "internal";  // frontend: "internal" also runs workers, "external" only publishes
  // imgflo-worker (and IMGFLO_WORKER=internal): "urgent", "background", "both" (images), "video" or "all".
  std::string worker_role = "all";
  jobs::Topology topology;               // queue name prefix, redeliveries before dead-lettering
  uint16_t prefetch = jobs::AmqpWorkerOptions{}.prefetch;  // unacked jobs a worker holds per queue
};

// IMGFLO_MEMORY_LIMIT's default, in percent of the machine's memory
// (jobs::default_memory_limit), and its range when given in bytes.
inline constexpr int kDefaultMemoryPercent = 50;
inline constexpr uint64_t kMinMemoryLimit = uint64_t{64} << 20;
inline constexpr uint64_t kMaxMemoryLimit = uint64_t{1} << 50;

// IMGFLO_MEMORY_LIMIT's text: "0" (off), bytes with an optional K/M/G/T suffix
// (binary multiples, at least kMinMemoryLimit, at most kMaxMemoryLimit), or
// "N%" (1..100) of the machine's memory; nullopt when malformed or out of range.
std::optional<uint64_t> parse_memory_limit(const std::string& text);

struct Config {
  http::ServerOptions server;    // threads: number of CPUs unless set
  http::HandlerOptions handler;  // version_info and clock are wiring, not settings
  AuthSettings auth;
  std::string database_url;  // DATABASE_URL; "" = apps::default_database_url(files.workdir)
  FileSettings files;
  jobs::ProcessorOptions processor;  // size_limit_megapixels follows handler's (one setting)
  jobs::LocalJobOptions jobs;        // workers: number of CPUs unless set; also the broker workers' threads
  std::string allow_private;         // CIDR list allowed despite the SSRF guard (checked by load)
  int compute_threads = 0;           // runtime::set_compute_threads; number of CPUs unless set
  BrokerSettings broker;
  // Cache index and result storage (the original's IMGFLO_CACHE): local | s3 | redis-local | redis-s3.
  std::string cache_type = "local";
  cache::RedisIndexSettings redis;  // used by redis-local and redis-s3
  storage::S3Config s3;             // used by s3 and redis-s3 (validated only then)
  bool verbose = false;
  std::optional<LogFormat> log_format;  // IMGFLO_LOG_FORMAT; unset = default_log_format()
  // What does not stop start-up but should be seen (e.g. relative Locations); the program logs them.
  std::vector<std::string> warnings;

  bool uses_s3() const { return cache_type == "s3" || cache_type == "redis-s3"; }
  bool uses_redis() const { return cache_type.starts_with("redis-"); }

  // Parses `env` (name -> value) then `args` (flags), then validates the
  // result. kInvalidArgument "configuration: ..." listing every problem,
  // separated by "; ", never echoing a secret.
  static Result<Config> load(const std::map<std::string, std::string>& env, const std::vector<std::string>& args);
  // The process environment as a map.
  static std::map<std::string, std::string> environment();
  // Which program a --help text is for.
  enum class Program { server, worker };
  // --help text: every setting the program uses, with its variable, flag, default
  // and meaning. Both programs accept every setting; the worker's text leaves out
  // the frontend-only ones (HTTP, auth, request deadlines, publishing) and says so.
  static std::string help(Program program);
};

}  // namespace imgflo::app
