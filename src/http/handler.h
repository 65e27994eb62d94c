// Routing and the URL contract: maps an HttpRequest to an HttpResponse.
//
// Never blocks: cache lookups answer through callbacks, processing runs in
// the job system, file reads go to the blocking executor; every path ends in
// exactly one Respond call. Every waiting request has a deadline timer; on
// expiry the client gets 504 JSON and the job is withdrawn (cancelled if
// nobody else waits).
//
// Routes:
//   GET|HEAD|POST /graph/NAME[.ext]?...  and  /graph/KEY/TOKEN/NAME[.ext]?...
//   GET /graphs   GET /version   GET /health   GET /ready   GET /metrics
//   GET /openapi.json                        (the API's OpenAPI 3.1 document, http/openapi.h)
//   OPTIONS on any of them: the CORS preflight (http/cors.h)
//   GET|HEAD /cache/KEY                      (local storage only)
//   GET|HEAD /files/NAME                     (bundled examples)
//   GET|HEAD /  /ui/NAME  /debug/graph/...  /debug/params/graph/...  /debug/job/KEY  /files/
//            and GET|HEAD /graph/...?debug=1 -> 302 /debug/graph/...: the web UI (http/web_ui.h);
//            GET / answers JSON (the list of endpoints) unless Accept names text/html
// Errors are JSON {"error", "code", "type", ...} with the status of their kind.
// A request without extension to a graph that negotiates takes its output
// type from the Accept header (request/negotiate.h); redirects carry the
// caching headers of http/redirect.h. Every answer gets the CORS headers of
// its route (http/cors.h). /health says the process answers; /ready runs the
// readiness checks (http/readiness.h): event_loop, accepting (not draining),
// jobs, cache_index and storage, each through its part's ping(), and apps
// (Services::apps_status, when given).
// Processing quota (issue 14): a request that would run a job (a GET or POST
// miss, a _nocache request; never HEAD) of an app whose quota is <= 0 gets 403
// "this app may only read cached results"; for an app with a limit, one image
// is consumed from Services::quota first and a used-up quota is 429 JSON with
// Retry-After; the counter unreachable → allowed (fail open, counted). Cached
// results are always served. Per-app series: http/app_metrics.h.
// handle() never throws: an unexpected exception is logged with an error id
// and answered 500 {"error_id"} (internals stay in the log).
#pragma once

#include "cache/cache_index.h"
#include "cache/quota_counter.h"
#include "core/deadline.h"
#include "core/limits.h"
#include "fetch/fetcher.h"
#include "request/auth.h"
#include "request/graph_request.h"
#include "request/negotiate.h"
#include "http/app_metrics.h"
#include "http/cors.h"
#include "http/drain.h"
#include "http/hot_responses.h"
#include "http/message.h"
#include "http/request_metrics.h"
#include "http/readiness.h"
#include "http/web_ui.h"
#include "jobs/job_metrics.h"
#include "jobs/job_system.h"
#include "jobs/memory_budget.h"
#include "runtime/catalogue.h"
#include "storage/storage.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace imgflo::http {

// What the handler needs from the transport's event loop.
class EventLoop {
 public:
  virtual ~EventLoop() = default;
  // Runs `fn` after `delay` unless the returned canceller is called first.
  virtual std::function<void()> after(Clock::duration delay, std::function<void()> fn) = 0;
  // Runs blocking work (disk reads) off the event loop.
  virtual void post_blocking(std::function<void()> fn) = 0;
};

struct HandlerOptions {
  double size_limit_megapixels = kDefaultSizeLimitMegapixels;  // IMGFLO_SIZE_LIMIT: requested width x height
  std::chrono::milliseconds request_timeout{30'000};     // IMGFLO_REQUEST_TIMEOUT: GET waits at most this
  std::chrono::milliseconds background_timeout{300'000}; // POST jobs are abandoned after this
  // IMGFLO_VIDEO_TIMEOUT: instead of the two above for video-lane jobs (jobs/job.h, Lane), also
  // for a job that moves there once its input turns out to be a video.
  std::chrono::milliseconds video_timeout{600'000};
  std::string public_base;                               // "http://host:port" for /cache URLs; "" = relative
  std::string version_info;                              // extra JSON for /version (runtime versions)
  std::chrono::milliseconds hot_ttl{60'000};             // HotResponses lifetime; 0 = no hot path
  // IMGFLO_AUTO_FORMAT: types a request without extension may negotiate to, by
  // preference (request/negotiate.h); empty = never negotiate.
  std::vector<std::string> auto_formats = {"avif", "webp"};
  std::chrono::seconds redirect_max_age{86'400};         // IMGFLO_REDIRECT_MAX_AGE: Cache-Control of 301s (http/redirect.h)
  bool metrics_route = true;  // GET /metrics here; false when it has a listener of its own (IMGFLO_METRICS_ADDR)
  CorsPolicy cors;                                       // IMGFLO_CORS_ORIGINS, IMGFLO_CORS_PUBLIC_ORIGINS
  ReadinessOptions readiness;                            // /ready: round timeout, report lifetime
  std::filesystem::path web_dir;                         // IMGFLO_WEB_DIR: the web UI's files; "" = <exe>/../web
  // True once the process drains (/ready's "accepting" check fails): the process-wide flag
  // HttpServer sets (http/drain.h) unless a test wires its own; null = never.
  // Called at every /ready, from any thread; must not block.
  std::function<bool()> draining = http::draining;
  // Time of the HotResponses expiry (tests pass a ManualClock); must outlive the handler.
  std::reference_wrapper<const ClockSource> clock = system_clock();
};

struct Services {
  const runtime::Catalogue& catalogue;
  cache::CacheIndex& index;
  storage::Storage& storage;
  // Results served at GET /cache/KEY (the local folder, read through the
  // Storage interface); null when results live elsewhere (S3): route off.
  storage::Storage* local_storage;
  jobs::JobSystem& jobs;
  const request::Authenticator& auth;
  fetch::Fetcher* files;  // serves /files/NAME (the resource folder); null = route off
  // The memory admission of this process's workers, shown in /metrics; null = none here.
  const jobs::MemoryBudget* memory = nullptr;
  // The metrics of the jobs this process runs, shown in /metrics; null = none here.
  const jobs::JobMetrics* job_metrics = nullptr;
  // /ready's "apps" check: whether the apps `auth` holds are current (the
  // applications database's watcher); must not block; null = no such check.
  std::function<Status()> apps_status = nullptr;
  // Counts processed images against each app's processing quota; null = not
  // counted (apps with a quota > 0 process without limit).
  cache::QuotaCounter* quota = nullptr;
};

class Handler {
 public:
  Handler(Services services, HandlerOptions options, EventLoop& loop);

  void handle(const HttpRequest& request, Respond respond);

  // The prepared answer to a cached-result GET seen recently (see
  // HotResponses) from a client sending `accept` and `origin`, or null. The
  // transport checks this before handle(), and records an answer it writes as a
  // CacheOutcome::kHot request (counted as a cache hit in /metrics).
  std::shared_ptr<const std::string> hot_response(std::string_view target, std::string_view accept = {},
                                                  std::string_view origin = {}) {
    if (!hot_ || (!origin.empty() && cors_.depends_on_origin(target))) return nullptr;
    return hot_->find(target, accept, s_.auth.generation());
  }

  // Counts of the full path (the hot path's are in request_metrics()).
  struct Counters {
    std::atomic<uint64_t> cache_hits{0}, cache_misses{0}, timeouts{0};
  };
  const Counters& counters() const { return counters_; }

  // Where the transport records every answered request (GET /metrics shows them).
  RequestMetrics& request_metrics() { return request_metrics_; }
  // The GET /metrics answer (Prometheus text).
  HttpResponse metrics() const;
  // The per-app series of /metrics.
  const AppMetrics& app_metrics() const { return app_metrics_; }

 private:
  void route(const HttpRequest& request, Respond respond);
  void graph_request(const HttpRequest& request, Respond respond);
  void after_lookup(const HttpRequest& req, request::GraphRequest&& parsed, request::AuthorizedApp&& app,
                    Result<std::optional<std::string>> hit, Respond respond);
  // Runs the job for a request whose result is not stored (or _nocache), for `app`, within its quota.
  void submit(const HttpRequest& req, request::GraphRequest&& parsed, request::AuthorizedApp&& app, Respond respond);
  // The processing quota (see the top of this file): calls run(respond) when `app` may have one more
  // image processed, else answers 403 (quota <= 0: cached results only) or 429 with Retry-After (used
  // up in the last 24 h). Asks s_.quota for apps with a limit; when it cannot answer, allows (fail
  // open). `run` may run on another thread (the counter's). Counts the outcome in app_metrics_.
  void within_quota(const request::AuthorizedApp& app, Respond respond, std::function<void(Respond)> run);
  // The job of a request `app_key` may have processed.
  void run_job(const HttpRequest& req, request::GraphRequest&& parsed, const std::string& app_key, Respond respond);
  struct Pending;  // one waiting GET (handler.cc)
  // How long a GET waits for a job in `lane`: IMGFLO_REQUEST_TIMEOUT, or IMGFLO_VIDEO_TIMEOUT.
  std::chrono::milliseconds wait_budget(jobs::Lane lane) const;
  // The waiter's deadline timer, `delay` from now, when it will have waited `waited` in all. When it
  // fires, the waiter's budget is that of its job's lane then (JobSystem::lane): a job moved to the
  // video lane re-arms it for the rest of the video budget; else 504.
  void arm_wait_timer(const std::shared_ptr<Pending>& pending, std::chrono::milliseconds delay,
                      std::chrono::milliseconds waited);
  void on_wait_timer(const std::shared_ptr<Pending>& pending, std::chrono::milliseconds waited);
  void serve_cache(const HttpRequest& request, Respond respond);
  void serve_file(const HttpRequest& request, Respond respond);
  // The job series of /metrics (jobs/job_metrics.h) appended to `out`.
  void job_metrics(std::string& out) const;
  // The Location for a stored result: absolute URLs as they are, server
  // paths under public_base (relative without one). Never from the Host header.
  std::string absolute(const std::string& location) const;
  // Keeps `redirect`, the answer to GET `target`, for the hot path (per
  // negotiated type when the answer varies with Accept).
  // The entry holds only while `app`'s authorization does (its generation, its valid_until).
  void remember_hot(const std::string& target, const request::GraphRequest& parsed, const request::AuthorizedApp& app,
                    const HttpResponse& redirect);
  // The graph's Negotiation, or null when requests to it never negotiate.
  std::shared_ptr<const request::Negotiation> negotiation(std::string_view graph) const;
  // Runs `fn` (blocking work) off the event loop; an exception answers 500.
  void blocking(Respond respond, std::function<void(Respond&)> fn);
  // What /ready checks (see the top of this file).
  std::vector<ReadinessCheck> readiness_checks();

  Services s_;
  HandlerOptions options_;
  EventLoop& loop_;
  std::string graphs_json_;  // the /graphs body, built once
  std::string openapi_json_;  // the /openapi.json body, built once (http/openapi.h)
  Counters counters_;
  RequestMetrics request_metrics_;
  AppMetrics app_metrics_;
  std::unique_ptr<HotResponses> hot_;  // null when options.hot_ttl is 0
  std::unique_ptr<WebUi> web_ui_;      // the pages, their JSON and the debug=1 redirect (http/web_ui.h)
  // Graphs whose requests without extension negotiate (built once from the catalogue).
  std::map<std::string, std::shared_ptr<const request::Negotiation>, std::less<>> negotiations_;
  const Cors cors_;
  std::unique_ptr<Readiness> readiness_;  // last: its threads probe the members above, so it stops first
};

HttpResponse error_response(const Error& e);

}  // namespace imgflo::http
