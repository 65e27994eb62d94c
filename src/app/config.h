// Configuration of imgflo-server and imgflo-worker: environment variables
// (compatible with the original where it had names) overridden by command
// line flags. Every setting is described once, in the table in config.cc,
// which also produces --help.
//
// load() parses everything and reports all problems together.
#pragma once

#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace imgflo::app {

struct Config {
  // HTTP
  std::string address = "0.0.0.0";
  uint16_t port = 8080;
  int http_threads = 0;  // 0 = number of CPUs
  std::chrono::milliseconds client_timeout{15'000};  // idle/slow client read deadline
  std::chrono::milliseconds hot_ttl{60'000};         // prepared 301s for repeated GETs; 0 = off
  std::string public_url;  // base of /cache/ URLs in Location headers; "" = relative Locations
  // Files
  std::filesystem::path workdir = "temp";
  std::filesystem::path graph_dir;     // "" = default_graph_dir()
  std::filesystem::path resource_dir;  // "" = <exe>/../examples, else ./examples
  // Limits and time
  double size_limit_megapixels = 25;
  uint64_t max_pixels = 50'000'000;
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds background_timeout{300'000};
  int workers = 0;  // 0 = number of CPUs
  size_t queue_limit = 64;
  // Input fetching
  std::chrono::milliseconds fetch_timeout{20'000};
  std::chrono::milliseconds fetch_connect_timeout{5'000};
  size_t fetch_max_bytes = 64u << 20;
  int fetch_max_redirects = 10;
  std::string allow_private;  // CIDR list allowed despite the SSRF guard
  // Auth
  std::string api_key, api_secret, admin_key, admin_secret;
  bool verbose = false;
  // Distributed mode (RabbitMQ). See src/jobs/amqp_topology.h for the queues.
  std::string broker_url;              // "" = in-process jobs (the embedded default)
  std::string worker_mode = "internal";  // frontend: "internal" also runs workers, "external" only publishes
  std::string worker_role = "both";    // imgflo-worker: "urgent", "background" or "both"
  std::string broker_prefix;           // before every queue/exchange name ("" = the original's names)
  int prefetch = 2;                    // unacked jobs a worker holds per queue
  int dead_letter_after = 5;           // redeliveries of a job before it goes to the dead-letter queue
  // Cache index and result storage (the original's IMGFLO_CACHE): local | s3 | redis-local | redis-s3.
  std::string cache_type = "local";
  // Settings read by the Redis and S3 adapters (IMGFLO_REDIS_*, AMAZON_API_*, IMGFLO_S3_*), by name.
  std::map<std::string, std::string> service_settings;

  // Parses `env` (name -> value) then `args` (flags). Errors list every problem.
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
