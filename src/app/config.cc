#include "app/config.h"

#include "broker/broker_url.h"
#include "cache/redis_config.h"

#include <functional>
#include <sstream>
#include <thread>

extern char** environ;

namespace imgflo::app {

namespace {

using Apply = std::function<std::string(Config&, const std::string&)>;  // "" or a problem

// Which program a setting concerns (both accept every setting; --help lists what each uses).
enum class Used { by_both, by_server, by_worker };

struct Setting {
  const char* env;      // environment variable ("" = flag only)
  const char* flag;     // --flag
  const char* def;      // default, as shown in --help
  const char* help;
  Apply apply;
  Used used = Used::by_both;
};

constexpr Used kServer = Used::by_server;
constexpr Used kWorker = Used::by_worker;

template <typename T>
bool parse_number(const std::string& s, T& out) {
  try {
    size_t used = 0;
    if constexpr (std::is_floating_point_v<T>) {
      out = static_cast<T>(std::stod(s, &used));
    } else {
      const long long v = std::stoll(s, &used);
      if (v < 0) return false;
      out = static_cast<T>(v);
    }
    return used == s.size();
  } catch (const std::exception&) {
    return false;
  }
}

Apply number(double Config::*field, double min) {
  return [=](Config& c, const std::string& v) -> std::string {
    double d = 0;
    if (!parse_number(v, d) || d < min) return "must be a number >= " + std::to_string(min);
    c.*field = d;
    return "";
  };
}

template <typename T>
Apply integer(T Config::*field, long long min, long long max) {
  return [=](Config& c, const std::string& v) -> std::string {
    long long n = 0;
    if (!parse_number(v, n) || n < min || n > max) {
      return "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
    }
    c.*field = static_cast<T>(n);
    return "";
  };
}

Apply seconds(std::chrono::milliseconds Config::*field) {
  return [=](Config& c, const std::string& v) -> std::string {
    double s = 0;
    if (!parse_number(v, s) || s <= 0 || s > 86400) return "must be seconds, > 0 and <= 86400";
    c.*field = std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
    return "";
  };
}

Apply text(std::string Config::*field) {
  return [=](Config& c, const std::string& v) -> std::string {
    c.*field = v;
    return "";
  };
}

Apply choice(std::string Config::*field, std::vector<std::string> allowed) {
  return [=](Config& c, const std::string& v) -> std::string {
    for (const auto& a : allowed) {
      if (v == a) {
        c.*field = v;
        return "";
      }
    }
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return "must be one of " + list;
  };
}

Apply path(std::filesystem::path Config::*field) {
  return [=](Config& c, const std::string& v) -> std::string {
    if (v.empty()) return "must not be empty";
    c.*field = v;
    return "";
  };
}

Apply service(const std::string& name) {
  return [name](Config& c, const std::string& v) -> std::string {
    c.service_settings[name] = v;
    return "";
  };
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"PORT", "--port", "8080", "HTTP port", integer(&Config::port, 0, 65535), kServer},
      {"IMGFLO_LISTEN_ADDRESS", "--address", "0.0.0.0", "address to listen on", text(&Config::address), kServer},
      {"IMGFLO_HTTP_THREADS", "--http-threads", "number of CPUs", "event-loop threads",
       integer(&Config::http_threads, 1, 64), kServer},
      {"IMGFLO_CLIENT_TIMEOUT", "--client-timeout", "15",
       "seconds a connection may take to send a request (idle keep-alive and slow clients are closed)",
       seconds(&Config::client_timeout), kServer},
      {"IMGFLO_HOT_TTL", "--hot-ttl", "60",
       "seconds a cached-result GET's 301 is kept ready for repeats of the same URL (0 = off; every "
       "request then consults the cache index)",
       [](Config& c, const std::string& v) -> std::string {
         double s = 0;
         if (!parse_number(v, s) || s < 0 || s > 86400) return "must be seconds, 0 to 86400";
         c.hot_ttl = std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
         return "";
       }, kServer},
      {"IMGFLO_PUBLIC_URL", "--public-url", "(from HOSTNAME, else relative Locations; never the Host header)",
       "base URL of stored results in Location headers, e.g. http://img.example.com", text(&Config::public_url),
       kServer},
      {"IMGFLO_WORKDIR", "--workdir", "temp", "work folder; results are stored in WORKDIR/cache", path(&Config::workdir)},
      {"IMGFLO_GRAPHDIR", "--graphs", "<exe>/../graphs", "graph folder", path(&Config::graph_dir)},
      {"IMGFLO_RESOURCE_DIR", "--resources", "<exe>/../examples", "folder of files/NAME inputs",
       path(&Config::resource_dir)},
      {"IMGFLO_SIZE_LIMIT", "--size-limit", "25",
       "megapixels: requested width x height over this is refused with 422 (the original's rule)",
       number(&Config::size_limit_megapixels, 0.001)},
      {"IMGFLO_MAX_PIXELS", "--max-pixels", "50000000",
       "largest input or intermediate image in pixels (checked from the header, before decoding)",
       integer(&Config::max_pixels, 1, 1'000'000'000'000LL)},
      {"IMGFLO_REQUEST_TIMEOUT", "--request-timeout", "30",
       "seconds a GET waits for processing before 504; the job is cancelled if nobody else waits",
       seconds(&Config::request_timeout), kServer},
      {"IMGFLO_BACKGROUND_TIMEOUT", "--background-timeout", "300", "seconds a POST (background) job may take",
       seconds(&Config::background_timeout), kServer},
      {"IMGFLO_WORKERS", "--workers", "number of CPUs", "processing threads (in-process workers)",
       integer(&Config::workers, 1, 256)},
      {"IMGFLO_QUEUE_LIMIT", "--queue-limit", "64",
       "jobs waiting to start; beyond it requests get 503 + Retry-After (with a broker: unanswered jobs per "
       "urgency this frontend has published, beyond its own worker threads)",
       integer(&Config::queue_limit, 1, 1'000'000), kServer},
      {"IMGFLO_FETCH_TIMEOUT", "--fetch-timeout", "20", "seconds for a whole input download",
       seconds(&Config::fetch_timeout)},
      {"IMGFLO_FETCH_CONNECT_TIMEOUT", "--fetch-connect-timeout", "5", "seconds to connect to an input's host",
       seconds(&Config::fetch_connect_timeout)},
      {"IMGFLO_FETCH_MAX_BYTES", "--fetch-max-bytes", "67108864", "largest input download in bytes",
       integer(&Config::fetch_max_bytes, 1, 1LL << 40)},
      {"IMGFLO_FETCH_MAX_REDIRECTS", "--fetch-max-redirects", "10", "redirects followed per input",
       integer(&Config::fetch_max_redirects, 0, 50)},
      {"IMGFLO_ALLOW_PRIVATE", "--allow-private", "(none)",
       "comma-separated CIDRs inputs may come from although private/loopback (SSRF guard allow-list)",
       text(&Config::allow_private)},
      {"IMGFLO_API_KEY", "--api-key", "(none)", "key of the normal app; with any key set, URLs must be signed",
       text(&Config::api_key), kServer},
      {"IMGFLO_API_SECRET", "--api-secret", "(none)", "secret of the normal app", text(&Config::api_secret), kServer},
      {"IMGFLO_ADMIN_KEY", "--admin-key", "(none)", "key of the admin app (may use _nocache=true)",
       text(&Config::admin_key), kServer},
      {"IMGFLO_ADMIN_SECRET", "--admin-secret", "(none)", "secret of the admin app", text(&Config::admin_secret),
       kServer},
      {"IMGFLO_BROKER_URL", "--broker-url", "(none: in-process jobs)",
       "RabbitMQ URL amqp://user:pass@host:port/vhost (CLOUDAMQP_URL is read too); set = distributed mode: "
       "jobs go through the broker to imgflo-worker processes",
       text(&Config::broker_url)},
      {"IMGFLO_WORKER", "--worker-mode", "internal",
       "with a broker: internal = this frontend also consumes jobs with IMGFLO_WORKERS threads; "
       "external (or amqp, as the original's app.json had it) = it only publishes (run imgflo-worker processes)",
       [](Config& c, const std::string& v) -> std::string {
         return choice(&Config::worker_mode, {"internal", "external"})(c, v == "amqp" ? "external" : v);
       }, kServer},
      {"IMGFLO_WORKER_ROLE", "--role", "both",
       "imgflo-worker: which queue to consume: urgent (GETs), background (POSTs) or both; with both, "
       "background jobs use at most IMGFLO_WORKERS-1 threads",
       choice(&Config::worker_role, {"urgent", "background", "both"}), kWorker},
      {"IMGFLO_BROKER_PREFIX", "--broker-prefix", "(none)",
       "prefix of every queue and exchange name (several deployments on one broker)", text(&Config::broker_prefix)},
      {"IMGFLO_PREFETCH", "--prefetch", "2",
       "unacked jobs a worker holds per queue; more than its threads only hides work from idle workers",
       integer(&Config::prefetch, 1, 1000)},
      {"IMGFLO_DEAD_LETTER_AFTER", "--dead-letter-after", "5",
       "redeliveries (worker died or lost its connection mid-job) before a job goes to the dead-letter queue "
       "dead-<queue>; must be the same on every frontend and worker (it is a queue argument)",
       integer(&Config::dead_letter_after, 1, 1000)},
      {"IMGFLO_CACHE", "--cache", "local",
       "where results live and how they are found: local (folder WORKDIR/cache + in-memory index), s3, "
       "redis-local, redis-s3 (Redis index in front of the store)",
       choice(&Config::cache_type, {"local", "s3", "redis-local", "redis-s3"})},
      {"IMGFLO_REDIS_URL", "--redis-url", "redis://127.0.0.1:6379 (or REDISCLOUD_URL)",
       "Redis for the cache index and in-flight markers: redis://[:password@]host:port[/db]",
       service("IMGFLO_REDIS_URL")},
      {"REDISCLOUD_URL", "", "(none)", "the original's alternative name for IMGFLO_REDIS_URL",
       service("REDISCLOUD_URL")},
      {"IMGFLO_REDIS_TTL", "--redis-ttl", "86400", "seconds a result's URL stays in the Redis index",
       service("IMGFLO_REDIS_TTL")},
      {"IMGFLO_REDIS_PREFIX", "--redis-prefix", cache::kDefaultRedisPrefix,
       "prefix of every Redis key (the original's cache_redis_prefix)", service("IMGFLO_REDIS_PREFIX")},
      {"AMAZON_API_ID", "--s3-key-id", "(none)", "S3 access key id", service("AMAZON_API_ID")},
      {"AMAZON_API_TOKEN", "--s3-secret", "(none)", "S3 secret access key", service("AMAZON_API_TOKEN")},
      {"AMAZON_API_BUCKET", "--s3-bucket", "(none)", "S3 bucket", service("AMAZON_API_BUCKET")},
      {"AMAZON_API_REGION", "--s3-region", "us-east-1", "S3 region (signature scope)", service("AMAZON_API_REGION")},
      {"IMGFLO_S3_ENDPOINT", "--s3-endpoint", "(AWS)",
       "S3-compatible server, path-style, e.g. http://127.0.0.1:4570", service("IMGFLO_S3_ENDPOINT")},
      {"IMGFLO_S3_PUBLIC_URL", "--s3-public-url", "(the bucket's URL)",
       "base the 301 points at for stored results: bucket URL or CDN", service("IMGFLO_S3_PUBLIC_URL")},
      {"IMGFLO_S3_FOLDER", "--s3-folder", "p", "object key prefix", service("IMGFLO_S3_FOLDER")},
      {"IMGFLO_S3_ADDRESSING", "--s3-addressing", "path with an endpoint, else virtual", "path | virtual",
       service("IMGFLO_S3_ADDRESSING")},
      {"IMGFLO_S3_CACHE_CONTROL", "--s3-cache-control", "public, max-age=31536000, immutable",
       "Cache-Control stored with every object", service("IMGFLO_S3_CACHE_CONTROL")},
      {"IMGFLO_VERBOSE", "--verbose", "off", "log debug messages (any value enables)",
       [](Config& c, const std::string&) -> std::string {
         c.verbose = true;
         return "";
       }},
  };
  return table;
}

std::string validate(const Config& c) {
  std::string problems;
  if (c.api_key.empty() != c.api_secret.empty()) problems += "IMGFLO_API_KEY and IMGFLO_API_SECRET go together; ";
  if (c.admin_key.empty() != c.admin_secret.empty()) {
    problems += "IMGFLO_ADMIN_KEY and IMGFLO_ADMIN_SECRET go together; ";
  }
  if (!c.broker_url.empty()) {
    auto url = broker::parse_broker_url(c.broker_url);
    if (!url.ok()) problems += "IMGFLO_BROKER_URL: " + url.error().message() + "; ";
  }
  return problems;
}

}  // namespace

Result<Config> Config::load(const std::map<std::string, std::string>& env, const std::vector<std::string>& args) {
  Config c;
  std::vector<std::string> problems;
  if (auto host = env.find("HOSTNAME"); host != env.end() && !host->second.empty()) {
    c.public_url = "http://" + host->second;  // the original's api_host
  }
  if (auto amqp = env.find("CLOUDAMQP_URL"); amqp != env.end()) c.broker_url = amqp->second;  // the original's fallback
  for (const auto& s : settings()) {
    auto it = *s.env ? env.find(s.env) : env.end();
    if (it == env.end()) continue;
    if (std::string why = s.apply(c, it->second); !why.empty()) problems.push_back(std::string(s.env) + " " + why);
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const Setting* found = nullptr;
    for (const auto& s : settings()) {
      if (a == s.flag) found = &s;
    }
    if (!found) {
      problems.push_back("unknown option " + a);
      continue;
    }
    const bool takes_value = std::string(found->flag) != "--verbose";
    if (takes_value && i + 1 >= args.size()) {
      problems.push_back(a + " needs a value");
      continue;
    }
    const std::string value = takes_value ? args[++i] : "1";
    if (std::string why = found->apply(c, value); !why.empty()) problems.push_back(a + " " + why);
  }
  if (c.broker_url.rfind("direct://", 0) == 0) c.broker_url.clear();  // the original's in-process broker
  const int cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (c.workers == 0) c.workers = cpus;
  if (c.http_threads == 0) c.http_threads = cpus;
  if (std::string v = validate(c); !v.empty()) problems.push_back(v.substr(0, v.size() - 2));
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
    return Error(ErrorKind::kInvalidArgument, "configuration: " + all);
  }
  return c;
}

std::map<std::string, std::string> Config::environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    const size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

std::string Config::help(Program program) {
  const bool worker = program == Program::worker;
  const Used skipped = worker ? Used::by_server : Used::by_worker;
  std::ostringstream h;
  h << "usage: " << (worker ? "imgflo-worker" : "imgflo-server") << " [options]\n\n"
    << "Every setting can be given as an environment variable or a flag (flags win).\n";
  if (worker) h << "imgflo-server's HTTP, auth and request settings are accepted too, and ignored.\n";
  h << "\n";
  for (const auto& s : settings()) {
    if (s.used == skipped) continue;
    h << "  " << s.flag;
    if (*s.env) h << "  (" << s.env << ")";
    h << "\n      " << s.help << "; default " << s.def << "\n";
  }
  h << "  --help\n      this text\n";
  return h.str();
}

}  // namespace imgflo::app
