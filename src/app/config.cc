#include "app/config.h"

#include "apps/database_url.h"
#include "broker/broker_url.h"
#include "cache/redis_config.h"
#include "fetch/address_policy.h"
#include "http/public_url.h"
#include "request/negotiate.h"

#include <cctype>
#include <functional>
#include <sstream>
#include <thread>

extern char** environ;

namespace imgflo::app {

namespace {

using Apply = std::function<std::string(Config&, const std::string&)>;  // "" or a problem
using Show = std::function<std::string(const Config&)>;                 // a value as --help shows it

// How a setting's text becomes a field, and how the field's default reads in --help.
struct Parser {
  Apply apply;
  Show show;
};

// Which program a setting concerns (both accept every setting; --help lists what each uses).
enum class Used { by_both, by_server, by_worker };

struct Setting {
  const char* env;   // environment variable ("" = flag only)
  const char* flag;  // --flag ("" = environment only)
  const char* def;   // default as shown in --help; nullptr = the part's default, read from Config{}
  const char* help;
  Parser parse;
  Used used = Used::by_both;
};

constexpr Used kServer = Used::by_server;
constexpr Used kWorker = Used::by_worker;

// A field of Config (most live in a part's settings struct), for const and non-const access.
#define IMGFLO_FIELD(member) [](auto& c) -> auto& { return c.member; }

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

std::string shortest(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

template <typename Get>
Parser number(Get get, double min) {
  return {[=](Config& c, const std::string& v) -> std::string {
            double d = 0;
            if (!parse_number(v, d) || d < min) return "must be a number >= " + shortest(min);
            get(c) = d;
            return "";
          },
          [=](const Config& c) { return shortest(get(c)); }};
}

template <typename Get>
Parser integer(Get get, long long min, long long max) {
  return {[=](Config& c, const std::string& v) -> std::string {
            long long n = 0;
            if (!parse_number(v, n) || n < min || n > max) {
              return "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
            }
            get(c) = static_cast<std::remove_reference_t<decltype(get(c))>>(n);
            return "";
          },
          [=](const Config& c) { return std::to_string(get(c)); }};
}

// Seconds (fractions allowed, at most `max`) into a std::chrono duration field; 0 only when `zero_ok`.
template <typename Get>
Parser seconds(Get get, double max = 86400, bool zero_ok = false) {
  return {[=](Config& c, const std::string& v) -> std::string {
            using D = std::remove_reference_t<decltype(get(c))>;
            double s = 0;
            const bool in_range = parse_number(v, s) && s >= 0 && s <= max;
            const D d = in_range ? std::chrono::duration_cast<D>(std::chrono::duration<double>(s)) : D(0);
            if (!in_range || (d == D(0) && !zero_ok)) {
              return std::string("must be seconds, ") + (zero_ok ? "0 to " : "> 0 and <= ") + shortest(max);
            }
            get(c) = d;
            return "";
          },
          [=](const Config& c) { return shortest(std::chrono::duration<double>(get(c)).count()); }};
}

// Free text. With `empty_is_default`, an empty value leaves the default.
template <typename Get>
Parser text(Get get, bool empty_is_default = false) {
  return {[=](Config& c, const std::string& v) -> std::string {
            if (!v.empty() || !empty_is_default) get(c) = v;
            return "";
          },
          [=](const Config& c) { return get(c).empty() ? std::string("(none)") : std::string(get(c)); }};
}

template <typename Get>
Parser choice(Get get, std::vector<std::string> allowed) {
  return {[=](Config& c, const std::string& v) -> std::string {
            for (const auto& a : allowed) {
              if (v == a) {
                get(c) = v;
                return "";
              }
            }
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            return "must be one of " + list;
          },
          [=](const Config& c) { return get(c); }};
}

template <typename Get>
Parser path(Get get) {
  return {[=](Config& c, const std::string& v) -> std::string {
            if (v.empty()) return "must not be empty";
            get(c) = v;
            return "";
          },
          [=](const Config& c) { return get(c).string(); }};
}

// A Redis URL (empty = unset); the message never echoes the password.
Parser redis_url() {
  return {[](Config& c, const std::string& v) -> std::string {
            if (v.empty()) return "";
            auto endpoint = cache::parse_redis_url(v);
            if (!endpoint.ok()) return "is invalid: " + endpoint.error().message();
            c.redis.client.endpoint = std::move(*endpoint);
            return "";
          },
          {}};
}

// IMGFLO_S3_FOLDER: leading and trailing '/' dropped ("" or "/" = the bucket's root).
Parser s3_folder() {
  return {[](Config& c, const std::string& v) -> std::string {
            const size_t first = v.find_first_not_of('/');
            c.s3.folder = first == std::string::npos ? "" : v.substr(first, v.find_last_not_of('/') - first + 1);
            return "";
          },
          [](const Config& c) { return c.s3.folder; }};
}

Parser s3_addressing() {
  return {[](Config& c, const std::string& v) -> std::string {
            if (v == "path") c.s3.addressing = storage::S3Addressing::kPathStyle;
            else if (v == "virtual") c.s3.addressing = storage::S3Addressing::kVirtualHosted;
            else if (!v.empty()) return "must be one of path, virtual";
            return "";
          },
          {}};
}

// IMGFLO_COLOR_MANAGEMENT: icc | legacy.
Parser colour_management() {
  return {[](Config& c, const std::string& v) -> std::string {
            const auto mode = runtime::parse_colour_management(v);
            if (!mode) return "must be one of icc, legacy";
            c.processor.limits.colour = *mode;
            return "";
          },
          [](const Config& c) { return std::string(runtime::colour_management_name(c.processor.limits.colour)); }};
}

// IMGFLO_AUTO_FORMAT: request::parse_auto_formats ("" = off).
Parser auto_formats() {
  return {[](Config& c, const std::string& v) -> std::string {
            auto formats = request::parse_auto_formats(v);
            if (!formats.ok()) return "must list avif, webp, jxl (comma-separated, each once) or be empty: " +
                                      formats.error().message();
            c.handler.auto_formats = std::move(*formats);
            return "";
          },
          [](const Config& c) {
            std::string list;
            for (const auto& f : c.handler.auto_formats) list += (list.empty() ? "" : ",") + f;
            return list.empty() ? std::string("(empty: off)") : list;
          }};
}

// IMGFLO_PUBLIC_URL: http::parse_public_url ("" = unset: HOSTNAME's base or relative Locations).
Parser public_url() {
  return {[](Config& c, const std::string& v) -> std::string {
            if (v.empty()) return "";
            auto url = http::parse_public_url(v);
            if (!url.ok()) return url.error().message();
            c.handler.public_base = std::move(*url);
            return "";
          },
          {}};
}

// IMGFLO_CORS_ORIGINS, IMGFLO_CORS_PUBLIC_ORIGINS: http::parse_cors_origins.
template <typename Get>
Parser cors_origins(Get get) {
  return {[=](Config& c, const std::string& v) -> std::string {
            auto origins = http::parse_cors_origins(v);
            if (!origins.ok()) return origins.error().message();
            get(c) = std::move(*origins);
            return "";
          },
          [=](const Config& c) { return get(c).none() ? std::string("(empty: no CORS headers)") : get(c).text(); }};
}

// IMGFLO_MEMORY_LIMIT: bytes (suffix K, M, G or T: binary multiples), N% of the machine's memory, or 0 = off.
Parser memory_limit() {
  return {[](Config& c, const std::string& v) -> std::string {
            auto bytes = parse_memory_limit(v);
            if (!bytes) return "must be 0 (off), bytes with an optional K/M/G/T suffix (at least 64M), or 1% to 100%";
            c.processor.memory_limit = *bytes;
            return "";
          },
          [](const Config&) {
            return std::to_string(kDefaultMemoryPercent) + "% of this machine's memory (cgroup limit, else MemTotal): " +
                   std::to_string(jobs::default_memory_limit(kDefaultMemoryPercent / 100.0) >> 20) + " MB here";
          }};
}

// IMGFLO_LOG_FORMAT: text | json.
Parser log_format_choice() {
  return {[](Config& c, const std::string& v) -> std::string {
            c.log_format = parse_log_format(v);
            return c.log_format ? "" : "must be one of text, json";
          },
          {}};
}

// IMGFLO_ACCESS_LOG: on | off.
Parser access_log() {
  return {[](Config& c, const std::string& v) -> std::string {
            if (v != "on" && v != "off") return "must be one of on, off";
            c.server.access_log = v == "on";
            return "";
          },
          [](const Config& c) { return std::string(c.server.access_log ? "on" : "off"); }};
}

// IMGFLO_METRICS_ADDR: HOST:PORT ([v6]:PORT for IPv6; port 0 = any free port); "" = the main port.
Parser metrics_address() {
  return {[](Config& c, const std::string& v) -> std::string {
            if (v.empty()) {
              c.server.metrics_address.clear();
              c.handler.metrics_route = true;
              return "";
            }
            const size_t colon = v.rfind(':');
            std::string host = colon == std::string::npos ? "" : v.substr(0, colon);
            if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
            unsigned port = 0;
            if (host.empty() || !parse_number(v.substr(colon + 1), port) || port > 65535) {
              return "must be HOST:PORT (an IP address and a port, e.g. 127.0.0.1:9090)";
            }
            c.server.metrics_address = host;
            c.server.metrics_port = static_cast<uint16_t>(port);
            c.handler.metrics_route = false;
            return "";
          },
          {}};
}

Parser switch_on(bool Config::*field) {
  return {[=](Config& c, const std::string&) -> std::string {
            c.*field = true;
            return "";
          },
          {}};
}

// Every setting, in --help order. A later row wins over an earlier one for the same field
// (REDISCLOUD_URL before IMGFLO_REDIS_URL), flags over environment variables.
const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"PORT", "--port", nullptr, "HTTP port", integer(IMGFLO_FIELD(server.port), 0, 65535), kServer},
      {"IMGFLO_LISTEN_ADDRESS", "--address", nullptr, "address to listen on", text(IMGFLO_FIELD(server.address)),
       kServer},
      {"IMGFLO_HTTP_THREADS", "--http-threads", "number of CPUs", "event-loop threads",
       integer(IMGFLO_FIELD(server.threads), 1, 64), kServer},
      {"IMGFLO_CLIENT_TIMEOUT", "--client-timeout", nullptr,
       "seconds a connection may take to send a request (idle keep-alive and slow clients are closed)",
       seconds(IMGFLO_FIELD(server.read_timeout)), kServer},
      {"IMGFLO_DRAIN_TIMEOUT", "--drain-timeout", nullptr,
       "seconds SIGTERM/SIGINT leave to finish: the listener closes, accepted requests are answered and "
       "running jobs finish (an imgflo-worker's too), then exit 0; what is left is dropped; a second "
       "signal exits at once",
       seconds(IMGFLO_FIELD(server.drain_timeout), 3600)},
      {"IMGFLO_HOT_TTL", "--hot-ttl", nullptr,
       "seconds a cached-result GET's 301 is kept ready for repeats of the same URL (0 = off; every "
       "request then consults the cache index)",
       seconds(IMGFLO_FIELD(handler.hot_ttl), 86400, true), kServer},
      {"IMGFLO_AUTO_FORMAT", "--auto-format", nullptr,
       "output types a request WITHOUT extension gets instead of JPEG when its Accept header names them "
       "(image/avif, image/webp, image/jxl; q-values honoured, image/* and */* do not count), in this order of "
       "preference among equal q; graphs that may make transparency fall back to PNG; empty = off (always JPEG, "
       "as the original)",
       auto_formats(), kServer},
      {"IMGFLO_REDIRECT_MAX_AGE", "--redirect-max-age", nullptr,
       "seconds a CDN or browser may keep a 301 to a stored result (Cache-Control: public, max-age; negotiated "
       "answers also carry Vary: Accept); 0 = no-cache",
       seconds(IMGFLO_FIELD(handler.redirect_max_age), 31'536'000, true), kServer},
      {"IMGFLO_PUBLIC_URL", "--public-url",
       "http://$HOSTNAME when HOSTNAME is a host[:port] and not a container id, else relative Locations "
       "(with a warning at start-up); never the Host header",
       "base URL of local results in Location headers: an http(s) URL without query or fragment, e.g. "
       "https://img.example.com",
       public_url(), kServer},
      {"IMGFLO_CORS_ORIGINS", "--cors-origins", nullptr,
       "web origins whose pages may read graph answers (Location exposed), /cache, /files, /health, /ready and "
       "/metrics from a browser (CORS): * = any, or origins like https://app.example.com separated by commas "
       "(an allowed Origin is echoed, with Vary: Origin; OPTIONS preflights answered)",
       cors_origins(IMGFLO_FIELD(handler.cors.other_routes)), kServer},
      {"IMGFLO_CORS_PUBLIC_ORIGINS", "--cors-public-origins", nullptr,
       "the same for the public descriptions /graphs, /version and /openapi.json; empty = no CORS headers",
       cors_origins(IMGFLO_FIELD(handler.cors.public_routes)), kServer},
      {"IMGFLO_WORKDIR", "--workdir", nullptr, "work folder; results are stored in WORKDIR/cache",
       path(IMGFLO_FIELD(files.workdir))},
      {"IMGFLO_GRAPHDIR", "--graphs", "<exe>/../graphs", "graph folder", path(IMGFLO_FIELD(files.graph_dir))},
      {"IMGFLO_RESOURCE_DIR", "--resources", "<exe>/../examples", "folder of files/NAME inputs",
       path(IMGFLO_FIELD(files.resource_dir))},
      {"IMGFLO_WEB_DIR", "--web-dir", "<exe>/../web", "folder of the web UI's files (the playground at /, /debug/...)",
       path(IMGFLO_FIELD(handler.web_dir)), kServer},
      {"IMGFLO_SIZE_LIMIT", "--size-limit", nullptr,
       "megapixels: requested width x height over this is refused with 422 (the original's rule)",
       number(IMGFLO_FIELD(handler.size_limit_megapixels), 0.001)},
      {"IMGFLO_MAX_PIXELS", "--max-pixels", nullptr,
       "largest input or intermediate image in pixels (checked from the header, before decoding)",
       integer(IMGFLO_FIELD(processor.limits.max_pixels), 1, 1'000'000'000'000LL)},
      {"IMGFLO_MAX_FRAMES", "--max-frames", nullptr,
       "most frames of an animated GIF/WebP input run through a graph to .gif/.webp (checked from the header)",
       integer(IMGFLO_FIELD(processor.limits.max_frames), 1, 100'000)},
      {"IMGFLO_MAX_ANIMATION_PIXELS", "--max-animation-pixels", nullptr,
       "most pixels over all frames of an animated input, as stored and as the graph gets them after "
       "width/height (checked from the header; finished frames are held as 4 bytes per pixel of it)",
       integer(IMGFLO_FIELD(processor.limits.max_animation_pixels), 1, 1'000'000'000'000LL)},
      {"IMGFLO_VIDEO_MAX_SECONDS", "--video-max-seconds", nullptr,
       "longest video input run through a graph, seconds (header duration, then frame times)",
       number(IMGFLO_FIELD(processor.limits.video.max_seconds), 0.001)},
      {"IMGFLO_VIDEO_MAX_FRAMES", "--video-max-frames", nullptr,
       "most frames of a video input (declared in its header, then counted while decoding)",
       integer(IMGFLO_FIELD(processor.limits.video.max_frames), 1, 10'000'000)},
      {"IMGFLO_VIDEO_MAX_FRAME_PIXELS", "--video-max-frame-pixels", nullptr,
       "largest video frame in pixels, as stored and as the graph gets it (3840x2160 by default)",
       integer(IMGFLO_FIELD(processor.limits.video.max_frame_pixels), 1, 1'000'000'000LL)},
      {"IMGFLO_VIDEO_MAX_TOTAL_PIXELS", "--video-max-total-pixels", nullptr,
       "most pixels over all frames of a video as the graph gets them (after width/height)",
       integer(IMGFLO_FIELD(processor.limits.video.max_total_pixels), 1, 1'000'000'000'000'000LL)},
      {"IMGFLO_VIDEO_MAX_OUTPUT_BYTES", "--video-max-output-bytes", nullptr,
       "largest encoded result of a video input (mp4, gif, webp), bytes",
       integer(IMGFLO_FIELD(processor.limits.video.max_output_bytes), 1, 100'000'000'000LL)},
      {"IMGFLO_JPEG_BASELINE_ABOVE", "--jpeg-baseline-above", "0 (off: always progressive, as the original)",
       "JPEG results of more pixels are written baseline with standard Huffman tables, not progressive "
       "(which holds 6 bytes per pixel until the end; same pixels, ~4 % more bytes)",
       integer(IMGFLO_FIELD(processor.limits.jpeg_baseline_above), 0, 1'000'000'000'000LL)},
      {"IMGFLO_COLOR_MANAGEMENT", "--color-management", nullptr,
       "icc = inputs with an embedded ICC profile (Adobe RGB, CMYK, ...) are converted to sRGB before the graph; "
       "legacy = profiles are ignored, as the original did",
       colour_management()},
      {"IMGFLO_REQUEST_TIMEOUT", "--request-timeout", nullptr,
       "seconds a GET waits for processing before 504; the job is cancelled if nobody else waits",
       seconds(IMGFLO_FIELD(handler.request_timeout)), kServer},
      {"IMGFLO_BACKGROUND_TIMEOUT", "--background-timeout", nullptr, "seconds a POST (background) job may take",
       seconds(IMGFLO_FIELD(handler.background_timeout)), kServer},
      {"IMGFLO_VIDEO_TIMEOUT", "--video-timeout", nullptr,
       "seconds a video job (a GET's wait, or a POST's job) may take, instead of IMGFLO_REQUEST_TIMEOUT or "
       "IMGFLO_BACKGROUND_TIMEOUT; also for a job whose input turns out to be a video",
       seconds(IMGFLO_FIELD(handler.video_timeout), 3600), kServer},
      {"IMGFLO_WORKERS", "--workers", "twice the number of CPUs",
       "processing threads (in-process workers); memory admission bounds what they hold",
       integer(IMGFLO_FIELD(jobs.workers), 1, 256)},
      {"IMGFLO_QUEUE_LIMIT", "--queue-limit", nullptr,
       "jobs waiting to start; beyond it requests get 503 + Retry-After (with a broker: unanswered jobs per "
       "urgency this frontend has published, beyond its own worker threads)",
       integer(IMGFLO_FIELD(jobs.queue_limit), 1, 1'000'000), kServer},
      {"IMGFLO_VIDEO_WORKERS", "--video-workers", nullptr,
       "processing threads of the video lane (in-process, and a worker consuming the video queue); image jobs "
       "never run on them, videos never on the IMGFLO_WORKERS threads",
       integer(IMGFLO_FIELD(jobs.video_workers), 1, 64)},
      {"IMGFLO_VIDEO_QUEUE", "--video-queue", nullptr,
       "video jobs waiting to start; beyond it video requests get 503 + Retry-After (with a broker: unanswered "
       "video jobs this frontend has published, beyond its own video threads)",
       integer(IMGFLO_FIELD(jobs.video_queue_limit), 1, 100'000), kServer},
      {"IMGFLO_MEMORY_LIMIT", "--memory-limit", nullptr,
       "memory the running jobs may use together, by their estimates from the input's header and the graph: "
       "a job waits (within its deadline) while it would not fit next to the running ones, and one that could "
       "not fit even alone is refused with 422 before decoding; bytes (K/M/G/T suffixes), N% of the machine's "
       "memory, or 0 = no admission",
       memory_limit()},
      {"IMGFLO_COMPUTE_THREADS", "--compute-threads", "number of CPUs",
       "threads the image operations of all jobs together may use at once (a fork-join op borrows helpers "
       "from this budget; when it is used up, an op runs on its job's thread alone)",
       integer(IMGFLO_FIELD(compute_threads), 1, 1024)},
      {"IMGFLO_FETCH_TIMEOUT", "--fetch-timeout", nullptr, "seconds for a whole input download",
       seconds(IMGFLO_FIELD(processor.fetch.total_timeout))},
      {"IMGFLO_FETCH_CONNECT_TIMEOUT", "--fetch-connect-timeout", nullptr, "seconds to connect to an input's host",
       seconds(IMGFLO_FIELD(processor.fetch.connect_timeout))},
      {"IMGFLO_FETCH_MAX_BYTES", "--fetch-max-bytes", nullptr, "largest input download in bytes",
       integer(IMGFLO_FIELD(processor.fetch.max_bytes), 1, 1LL << 40)},
      {"IMGFLO_FETCH_MAX_REDIRECTS", "--fetch-max-redirects", nullptr, "redirects followed per input",
       integer(IMGFLO_FIELD(processor.fetch.max_redirects), 0, 50)},
      {"IMGFLO_ALLOW_PRIVATE", "--allow-private", nullptr,
       "comma-separated CIDRs inputs may come from although private/loopback (SSRF guard allow-list)",
       text(IMGFLO_FIELD(allow_private))},
      {"IMGFLO_API_KEY", "--api-key", nullptr, "key of the normal app; with any key set, URLs must be signed",
       text(IMGFLO_FIELD(auth.api_key)), kServer},
      {"IMGFLO_API_SECRET", "--api-secret", nullptr, "secret of the normal app", text(IMGFLO_FIELD(auth.api_secret)),
       kServer},
      {"IMGFLO_ADMIN_KEY", "--admin-key", nullptr, "key of the admin app (may use _nocache=true)",
       text(IMGFLO_FIELD(auth.admin_key)), kServer},
      {"IMGFLO_ADMIN_SECRET", "--admin-secret", nullptr, "secret of the admin app",
       text(IMGFLO_FIELD(auth.admin_secret)), kServer},
      {"DATABASE_URL", "--database-url", "sqlite://IMGFLO_WORKDIR/imgflo.db",
       "the applications database (API apps, managed with imgflo-apps; changes reach requests within ~1 s): "
       "sqlite:///abs/path, sqlite://relative/path or postgres://user:pass@host:port/db (TLS required unless "
       "POSTGRES_NOSSL is set); its apps are added to IMGFLO_API_*/IMGFLO_ADMIN_*'s (these win on a key clash). "
       "Not reachable at start-up: exit 1",
       text(IMGFLO_FIELD(database_url))},
      {"IMGFLO_BROKER_URL", "--broker-url", "(none: in-process jobs)",
       "RabbitMQ URL amqp://user:pass@host:port/vhost (CLOUDAMQP_URL is read too); set = distributed mode: "
       "jobs go through the broker to imgflo-worker processes",
       text(IMGFLO_FIELD(broker.url))},
      {"IMGFLO_WORKER", "--worker-mode", nullptr,
       "with a broker: internal = this frontend also consumes jobs with IMGFLO_WORKERS threads; "
       "external (or amqp, as the original's app.json had it) = it only publishes (run imgflo-worker processes)",
       {[](Config& c, const std::string& v) -> std::string {
          return choice(IMGFLO_FIELD(broker.worker_mode), {"internal", "external"})
              .apply(c, v == "amqp" ? "external" : v);
        },
        [](const Config& c) { return c.broker.worker_mode; }},
       kServer},
      {"IMGFLO_WORKER_ROLE", "--role", nullptr,
       "imgflo-worker: which queues to consume: urgent (image GETs), background (image POSTs), both (images), "
       "video (video jobs, on IMGFLO_VIDEO_WORKERS threads) or all; with both or all, background jobs use at "
       "most IMGFLO_WORKERS-1 threads",
       choice(IMGFLO_FIELD(broker.worker_role), {"urgent", "background", "both", "video", "all"}), kWorker},
      {"IMGFLO_BROKER_PREFIX", "--broker-prefix", nullptr,
       "prefix of every queue and exchange name (several deployments on one broker)",
       text(IMGFLO_FIELD(broker.topology.prefix))},
      {"IMGFLO_PREFETCH", "--prefetch", nullptr,
       "unacked jobs a worker holds per queue; more than its threads only hides work from idle workers",
       integer(IMGFLO_FIELD(broker.prefetch), 1, 1000)},
      {"IMGFLO_DEAD_LETTER_AFTER", "--dead-letter-after", nullptr,
       "redeliveries (worker died or lost its connection mid-job) before a job goes to the dead-letter queue "
       "dead-<queue>; must be the same on every frontend and worker (it is a queue argument)",
       integer(IMGFLO_FIELD(broker.topology.delivery_limit), 1, 1000)},
      {"IMGFLO_CACHE", "--cache", nullptr,
       "where results live and how they are found: local (folder WORKDIR/cache + in-memory index), s3, "
       "redis-local, redis-s3 (Redis index in front of the store)",
       choice(IMGFLO_FIELD(cache_type), {"local", "s3", "redis-local", "redis-s3"})},
      {"REDISCLOUD_URL", "", "(none)", "the original's alternative name for IMGFLO_REDIS_URL", redis_url()},
      {"IMGFLO_REDIS_URL", "--redis-url", "redis://127.0.0.1:6379 (or REDISCLOUD_URL)",
       "Redis for the cache index and in-flight markers: redis://[:password@]host:port[/db]", redis_url()},
      {"IMGFLO_REDIS_TTL", "--redis-ttl", nullptr, "seconds a result's URL stays in the Redis index",
       seconds(IMGFLO_FIELD(redis.ttl), 1 << 30)},
      {"IMGFLO_REDIS_PREFIX", "--redis-prefix", nullptr,
       "prefix of every Redis key (the original's cache_redis_prefix)", text(IMGFLO_FIELD(redis.prefix))},
      {"AMAZON_API_ID", "--s3-key-id", nullptr, "S3 access key id", text(IMGFLO_FIELD(s3.access_key_id), true)},
      {"AMAZON_API_TOKEN", "--s3-secret", nullptr, "S3 secret access key",
       text(IMGFLO_FIELD(s3.secret_access_key), true)},
      {"AMAZON_API_BUCKET", "--s3-bucket", nullptr, "S3 bucket", text(IMGFLO_FIELD(s3.bucket), true)},
      {"AMAZON_API_REGION", "--s3-region", nullptr, "S3 region (signature scope)",
       text(IMGFLO_FIELD(s3.region), true)},
      {"IMGFLO_S3_ENDPOINT", "--s3-endpoint", "(AWS)", "S3-compatible server, path-style, e.g. http://127.0.0.1:4570",
       text(IMGFLO_FIELD(s3.endpoint), true)},
      {"IMGFLO_S3_PUBLIC_URL", "--s3-public-url", "(the bucket's URL)",
       "base the 301 points at for stored results: bucket URL or CDN", text(IMGFLO_FIELD(s3.public_url), true)},
      {"IMGFLO_S3_FOLDER", "--s3-folder", nullptr, "object key prefix (empty = the bucket's root)", s3_folder()},
      {"IMGFLO_S3_ADDRESSING", "--s3-addressing", "path with an endpoint, else virtual", "path | virtual",
       s3_addressing()},
      {"IMGFLO_S3_CACHE_CONTROL", "--s3-cache-control", nullptr, "Cache-Control stored with every object",
       text(IMGFLO_FIELD(s3.cache_control), true)},
      {"IMGFLO_VERBOSE", "--verbose", "off", "log debug messages (any value enables)", switch_on(&Config::verbose)},
      {"IMGFLO_LOG_FORMAT", "--log-format", "text when stderr is a terminal, else json",
       "text | json: log lines on stderr as text, or one JSON object per line (time, level, message and the "
       "event's fields)",
       log_format_choice()},
      {"IMGFLO_ACCESS_LOG", "--access-log", nullptr,
       "on | off: one line per answered request (method, path with the token redacted, status, cache outcome, "
       "bytes, duration, request id, app key), hot-path answers included",
       access_log(), kServer},
      {"IMGFLO_METRICS_ADDR", "--metrics-address", "(none: /metrics on the HTTP port)",
       "HOST:PORT of a listener of its own for GET /metrics (e.g. 127.0.0.1:9090, kept off the public port, "
       "which then answers /metrics with 404)",
       metrics_address(), kServer},
  };
  return table;
}

#undef IMGFLO_FIELD

const Setting* find_flag(const std::string& flag) {
  for (const auto& s : settings()) {
    if (*s.flag && flag == s.flag) return &s;
  }
  return nullptr;
}

// Settings that the original's variables imply, before the table is applied.
void apply_the_originals_names(const std::map<std::string, std::string>& env, Config& c) {
  if (auto host = env.find("HOSTNAME"); host != env.end()) {
    // The original's api_host, unless HOSTNAME cannot be reached from outside (http/public_url.h).
    if (auto base = http::base_from_hostname(host->second)) c.handler.public_base = std::move(*base);
  }
  if (auto amqp = env.find("CLOUDAMQP_URL"); amqp != env.end()) c.broker.url = amqp->second;  // its fallback
}

void apply_environment(const std::map<std::string, std::string>& env, Config& c, std::vector<std::string>& problems) {
  for (const auto& s : settings()) {
    auto it = *s.env ? env.find(s.env) : env.end();
    if (it == env.end()) continue;
    if (std::string why = s.parse.apply(c, it->second); !why.empty()) problems.push_back(std::string(s.env) + " " + why);
  }
}

void apply_flags(const std::vector<std::string>& args, Config& c, std::vector<std::string>& problems) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const Setting* found = find_flag(a);
    if (!found) {
      problems.push_back("unknown option " + a);
      continue;
    }
    const bool takes_value = a != "--verbose";
    if (takes_value && i + 1 >= args.size()) {
      problems.push_back(a + " needs a value");
      continue;
    }
    const std::string value = takes_value ? args[++i] : "1";
    if (std::string why = found->parse.apply(c, value); !why.empty()) problems.push_back(a + " " + why);
  }
}

// What no single setting can check: pairs, and the settings of the parts the cache kind selects.
void validate(const Config& c, std::vector<std::string>& problems) {
  if (c.auth.api_key.empty() != c.auth.api_secret.empty()) {
    problems.push_back("IMGFLO_API_KEY and IMGFLO_API_SECRET go together");
  }
  if (c.auth.admin_key.empty() != c.auth.admin_secret.empty()) {
    problems.push_back("IMGFLO_ADMIN_KEY and IMGFLO_ADMIN_SECRET go together");
  }
  if (!c.database_url.empty()) {
    if (auto url = apps::parse_database_url(c.database_url); !url.ok()) {
      problems.push_back("DATABASE_URL: " + url.error().message());
    }
  }
  if (!c.broker.url.empty()) {
    if (auto url = broker::parse_broker_url(c.broker.url); !url.ok()) {
      problems.push_back("IMGFLO_BROKER_URL: " + url.error().message());
    }
  }
  if (auto policy = fetch::AddressPolicy::from_allow_list(c.allow_private); !policy.ok()) {
    problems.push_back("IMGFLO_ALLOW_PRIVATE: " + policy.error().message());
  }
  if (c.uses_s3()) {
    if (Status st = c.s3.validate(); !st.ok()) problems.push_back(st.error().message());
  }
}

}  // namespace

std::optional<uint64_t> parse_memory_limit(const std::string& text) {
  if (text == "0") return 0;
  if (text.empty()) return std::nullopt;
  const char last = text.back();
  const std::string digits = text.substr(0, text.size() - (std::isdigit(static_cast<unsigned char>(last)) ? 0 : 1));
  uint64_t n = 0;
  if (digits.empty() || !parse_number(digits, n)) return std::nullopt;
  if (last == '%') {
    if (n < 1 || n > 100) return std::nullopt;
    const uint64_t limit = jobs::default_memory_limit(static_cast<double>(n) / 100.0);
    return limit > 0 ? std::optional<uint64_t>(limit) : std::nullopt;
  }
  int shift = 0;
  switch (last) {
    case 'K': case 'k': shift = 10; break;
    case 'M': case 'm': shift = 20; break;
    case 'G': case 'g': shift = 30; break;
    case 'T': case 't': shift = 40; break;
    default:
      if (!std::isdigit(static_cast<unsigned char>(last))) return std::nullopt;
  }
  if (n > (kMaxMemoryLimit >> shift)) return std::nullopt;
  const uint64_t bytes = n << shift;
  if (bytes < kMinMemoryLimit) return std::nullopt;
  return bytes;
}

Result<Config> Config::load(const std::map<std::string, std::string>& env, const std::vector<std::string>& args) {
  Config c;
  const int cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  c.server.threads = cpus;
  // Twice the CPUs: a job spends part of its time off the CPU (fetching, storing, hand-offs), and the
  // compute threads (compute_threads) and libvips' share per pipeline (runtime/vips_threads.h) keep
  // the cores from being oversubscribed (bench/RESULTS.md, thumbnail throughput).
  c.jobs.workers = 2 * cpus;
  c.compute_threads = cpus;
  c.processor.memory_limit = jobs::default_memory_limit(kDefaultMemoryPercent / 100.0);
  std::vector<std::string> problems;
  apply_the_originals_names(env, c);
  apply_environment(env, c, problems);
  apply_flags(args, c, problems);
  if (c.broker.url.starts_with("direct://")) c.broker.url.clear();  // the original's in-process broker
  c.processor.size_limit_megapixels = c.handler.size_limit_megapixels;
  validate(c, problems);
  if (c.handler.public_base.empty() && !c.uses_s3()) {
    const auto host = env.find("HOSTNAME");
    const auto hostname = host == env.end() ? std::nullopt : std::optional<std::string>(host->second);
    c.warnings.push_back(http::relative_locations_warning(hostname));
  }
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
  const Config defaults;  // each part's own defaults
  std::ostringstream h;
  h << "usage: " << (worker ? "imgflo-worker" : "imgflo-server") << " [options]\n\n"
    << "Every setting can be given as an environment variable or a flag (flags win).\n";
  if (worker) h << "imgflo-server's HTTP, auth and request settings are accepted too, and ignored.\n";
  h << "\n";
  for (const auto& s : settings()) {
    if (s.used == skipped) continue;
    h << "  " << (*s.flag ? s.flag : s.env);
    if (*s.env && *s.flag) h << "  (" << s.env << ")";
    h << "\n      " << s.help << "; default " << (s.def ? s.def : s.parse.show(defaults)) << "\n";
  }
  h << "  --help\n      this text\n";
  return h.str();
}

}  // namespace imgflo::app
