#include "http/handler.h"
#include "core/json.h"

#include "core/bundled_dir.h"
#include "core/guard.h"
#include "http/openapi.h"
#include "http/redirect.h"

#include <fstream>
#include <future>
#include <mutex>
#include <sstream>

namespace imgflo::http {

namespace {

HttpResponse not_found(const std::string& what) { return error_response(Error(ErrorKind::kNotFound, what)); }

HttpResponse method_not_allowed(const std::string& allowed) {
  HttpResponse r = HttpResponse::json(405, {{"error", "method not allowed"}, {"code", 405}, {"type", "method"}});
  r.header("Allow", allowed);
  return r;
}

constexpr std::chrono::milliseconds kJobGrace{2000};

// The /graphs body: the catalogue's listing (the original's {"graphs": ...})
// and how a processing URL is made.
std::string graphs_body(const runtime::Catalogue& catalogue) {
  nlohmann::ordered_json body = catalogue.listing();
  body["url"] = {
      {"unsigned", "/graph/NAME[.ext]?input=URL&PARAM=VALUE... (when the server has no apps)"},
      {"signed", "/graph/KEY/TOKEN/NAME[.ext]?input=URL&PARAM=VALUE..."},
      {"token", "md5_hex(NAME[.ext] + \"?\" + query + SECRET), or hex HMAC-SHA256(SECRET, NAME[.ext] + \"?\" + query); "
                "the query exactly as sent"},
      {"_expires", "optional query parameter UNIX_SECONDS, covered by the token: from that second on the URL is "
                   "refused (403 \"expired\")"},
      {"_nocache", "true: process again although a result is stored (admin apps only)"}};
  return dump_json(body);
}

// `respond`, marking every answer with the cache outcome `cache`.
Respond with_outcome(CacheOutcome cache, Respond respond) {
  return [cache, respond = std::move(respond)](HttpResponse r) {
    r.cache = cache;
    respond(std::move(r));
  };
}

// A 200 with a JSON body serialised once.
HttpResponse prepared_json(const std::string& body) {
  HttpResponse r;
  r.body = body;
  r.header("Content-Type", "application/json");
  return r;
}

std::string_view request_path(std::string_view target) { return target.substr(0, target.find('?')); }

// The methods a route answers besides OPTIONS; "" when there is no such route.
std::string route_methods(std::string_view path) {
  if (path.starts_with("/graph/")) return "GET, HEAD, POST";
  for (std::string_view route : {"/", "/graphs", "/version", "/health", "/ready", "/metrics", "/openapi.json"}) {
    if (path == route) return "GET, HEAD";
  }
  return path.starts_with("/cache/") || path.starts_with("/files/") ? "GET, HEAD" : "";
}

// The readiness check of the event loop: a timer due at once runs within `timeout`.
Status event_loop_turns(EventLoop& loop, std::chrono::milliseconds timeout) {
  auto ran = std::make_shared<std::promise<void>>();
  auto turned = ran->get_future();
  auto cancel = loop.after(Clock::duration::zero(), [ran] { ran->set_value(); });
  if (turned.wait_for(timeout) == std::future_status::ready) return ok_status();
  cancel();
  return Error(ErrorKind::kTimeout, "the event loop did not run a due timer within " +
                                        std::to_string(timeout.count()) + " ms");
}

// The 429 of an app whose processing quota of `quota` images is used up.
HttpResponse quota_exceeded(int64_t quota, const cache::QuotaDecision& d) {
  const Error e(ErrorKind::kQuotaExceeded, "processing quota of " + std::to_string(quota) + " images per 24 h used",
                {{"quota", quota}, {"used", d.used}, {"retry_after", d.retry_after.count()}});
  HttpResponse r = error_response(e);
  r.header("Retry-After", std::to_string(d.retry_after.count()));
  return r;
}

}  // namespace

namespace {

// Errors whose message may carry internals (library texts, paths): the
// client gets a stable message and an id, the log the original text.
bool internal_kind(ErrorKind k) {
  return k == ErrorKind::kInternal || k == ErrorKind::kProcessingFailed || k == ErrorKind::kGraphInvalid;
}

}  // namespace

HttpResponse error_response(const Error& error) {
  const bool has_id = error.details().is_object() && error.details().contains("error_id");
  const Error e = internal_kind(error.kind()) && !has_id
                      ? public_error(error.kind(), "the image could not be processed", error.message())
                      : error;
  HttpResponse r = HttpResponse::json(e.status(), e.to_json());
  if (e.kind() == ErrorKind::kOverloaded || e.kind() == ErrorKind::kUnavailable) r.header("Retry-After", "1");
  return r;
}

Handler::Handler(Services services, HandlerOptions options, EventLoop& loop)
    : s_(services),
      options_(std::move(options)),
      loop_(loop),
      graphs_json_(graphs_body(s_.catalogue)),
      openapi_json_(dump_json(openapi_document(s_.catalogue))),
      cors_(options_.cors) {
  if (options_.hot_ttl.count() > 0) {
    hot_ = std::make_unique<HotResponses>(options_.hot_ttl, HotResponses::kDefaultCapacity, options_.clock.get());
  }
  readiness_ = std::make_unique<Readiness>(readiness_checks(), options_.readiness, options_.clock.get());
  web_ui_ = std::make_unique<WebUi>(
      WebUiParts{options_.web_dir.empty() ? bundled_dir("web") : options_.web_dir, s_.catalogue,
                 dynamic_cast<const fetch::LocalFileFetcher*>(s_.files), s_.job_metrics,
                 options_.size_limit_megapixels, [this] { return s_.auth.enabled(); }},
      [this](Respond respond, std::function<void(Respond&)> fn) { blocking(std::move(respond), std::move(fn)); });
  for (const auto& name : s_.catalogue.names()) {
    const runtime::Executable& exe = *(*s_.catalogue.find(name))->executable;
    auto policy = request::negotiation_for(options_.auto_formats, exe.output_types(), exe.result_may_have_alpha());
    if (policy.varies()) negotiations_.emplace(name, std::make_shared<const request::Negotiation>(std::move(policy)));
  }
}

std::shared_ptr<const request::Negotiation> Handler::negotiation(std::string_view graph) const {
  auto it = negotiations_.find(graph);
  return it == negotiations_.end() ? nullptr : it->second;
}

std::vector<ReadinessCheck> Handler::readiness_checks() {
  using std::chrono::milliseconds;
  const auto accepting = [this](milliseconds) -> Status {
    if (options_.draining && options_.draining()) return Error(ErrorKind::kUnavailable, "draining");
    return ok_status();
  };
  std::vector<ReadinessCheck> checks = {{"event_loop", [this](milliseconds t) { return event_loop_turns(loop_, t); }},
                                        {"accepting", accepting, /*instant=*/true},
                                        {"jobs", [this](milliseconds t) { return s_.jobs.ping(t); }},
                                        {"cache_index", [this](milliseconds t) { return s_.index.ping(t); }},
                                        {"storage", [this](milliseconds t) { return s_.storage.ping(t); }}};
  if (s_.apps_status) checks.push_back({"apps", [this](milliseconds) { return s_.apps_status(); }, /*instant=*/true});
  return checks;
}

void Handler::handle(const HttpRequest& req, Respond respond) {
  // `respond` may already have been called when something throws: answer once.
  auto answered = std::make_shared<std::atomic<bool>>(false);
  Respond once = [this, answered, path = std::string(request_path(req.target)), origin = req.origin,
                  respond = std::move(respond)](HttpResponse r) {
    if (answered->exchange(true)) return;
    cors_.add_headers(path, origin, r);
    respond(std::move(r));
  };
  if (auto e = run_guarded("request handler", [&] { route(req, once); })) {
    once(error_response(*e));
  }
}

void Handler::route(const HttpRequest& req, Respond respond) {
  const std::string_view path = request_path(req.target);
  if (req.method == "OPTIONS") {
    const std::string methods = route_methods(path);
    if (methods.empty()) return respond(not_found("no such route: " + std::string(path)));
    return respond(cors_.preflight(path, req.origin, methods));
  }
  if (web_ui_->route(req, respond)) return;
  if (path.starts_with("/graph/")) return graph_request(req, std::move(respond));
  if (req.method != "GET" && req.method != "HEAD") return respond(method_not_allowed("GET, HEAD"));
  if (path == "/graphs") return respond(prepared_json(graphs_json_));
  if (path == "/openapi.json") return respond(prepared_json(openapi_json_));
  if (path == "/health") return respond(HttpResponse::json(200, {{"status", "ok"}}));
  if (path == "/ready") {
    return readiness_->report([respond](const ReadinessReport& r) { respond(readiness_response(r)); });
  }
  if (path == "/version") return respond(HttpResponse::json(200, nlohmann::json::parse(options_.version_info)));
  if (path == "/metrics" && options_.metrics_route) return respond(metrics());
  if (path.starts_with("/cache/")) return serve_cache(req, std::move(respond));
  if (path.starts_with("/files/")) return serve_file(req, std::move(respond));
  if (path == "/") {
    return respond(HttpResponse::json(
        200, {{"name", "imgflo-server"},
              {"endpoints",
               {"/graph/NAME[.ext]?input=URL&...", "/graphs", "/openapi.json", "/version", "/health", "/ready",
                "/metrics"}}}));
  }
  respond(not_found("no such route: " + std::string(path)));
}

void Handler::graph_request(const HttpRequest& req, Respond respond) {
  if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") {
    return respond(method_not_allowed("GET, HEAD, POST"));
  }
  auto parsed = request::parse_graph_request(req.target);
  if (!parsed.ok()) return respond(error_response(parsed.error()));
  auto app = s_.auth.check(*parsed);
  if (!app.ok()) return respond(error_response(app.error()));
  if (Status st = request::check_requested_size(*parsed, options_.size_limit_megapixels); !st.ok()) {
    return respond(error_response(st.error()));
  }
  auto entry = s_.catalogue.find(parsed->graph);
  if (!entry.ok()) return respond(error_response(entry.error()));
  if (auto policy = negotiation(parsed->graph)) request::negotiate_output_type(*parsed, req.accept, *policy);
  parsed->images = request::take_image_inputs(parsed->params, (*entry)->executable->image_inputs());
  runtime::RunRequest probe;
  probe.out_type = parsed->out_type;
  probe.params = parsed->params;
  if (parsed->input) probe.input = std::string_view(*parsed->input);
  for (const auto& [name, ref] : parsed->images) probe.images.emplace_back(name, ref);
  if (Status st = s_.catalogue.check(**entry, probe); !st.ok()) return respond(error_response(st.error()));
  // Values are converted before anything is queued or downloaded: a bad one is a 400 now.
  if (auto typed = request::convert_params(parsed->params, (*entry)->inports); !typed.ok()) {
    return respond(error_response(typed.error()));
  }
  if (!storage::valid_key(parsed->cache_key)) {  // e.g. noop with an exotic extension
    return respond(error_response(Error(ErrorKind::kUnsupportedType, "Unsupported image type: " + parsed->out_type)));
  }
  if (parsed->nocache) {
    return submit(req, std::move(*parsed), std::move(*app), with_outcome(CacheOutcome::kMiss, std::move(respond)));
  }
  const std::string key = parsed->cache_key;
  auto shared = std::make_shared<request::GraphRequest>(std::move(*parsed));
  s_.index.get(key, [this, req, shared, app = std::move(*app),
                     respond = std::move(respond)](Result<std::optional<std::string>> hit) mutable {
    after_lookup(req, std::move(*shared), std::move(app), std::move(hit), std::move(respond));
  });
}

void Handler::after_lookup(const HttpRequest& req, request::GraphRequest&& parsed, request::AuthorizedApp&& app,
                           Result<std::optional<std::string>> hit, Respond respond) {
  // An unreachable index is treated as a miss: the result can still be made.
  if (hit.ok() && hit->has_value()) {
    ++counters_.cache_hits;
    HttpResponse redirect = stored_redirect(absolute(**hit), options_.redirect_max_age, parsed.varies_with_accept);
    redirect.cache = CacheOutcome::kHit;
    if (hot_ && req.method == "GET") remember_hot(req.target, parsed, app, redirect);
    app_metrics_.count(app.key, AppMetrics::Outcome::kHit);
    return respond(std::move(redirect));
  }
  ++counters_.cache_misses;
  respond = with_outcome(CacheOutcome::kMiss, std::move(respond));
  if (req.method == "HEAD") {
    return respond(not_found("no stored result for this request yet (HEAD never starts processing)"));
  }
  submit(req, std::move(parsed), std::move(app), std::move(respond));
}

void Handler::submit(const HttpRequest& req, request::GraphRequest&& parsed, request::AuthorizedApp&& app,
                     Respond respond) {
  auto shared = std::make_shared<request::GraphRequest>(std::move(parsed));
  within_quota(app, std::move(respond), [this, req, shared, key = app.key](Respond respond) {
    run_job(req, std::move(*shared), key, std::move(respond));
  });
}

void Handler::within_quota(const request::AuthorizedApp& app, Respond respond, std::function<void(Respond)> run) {
  if (app.auth_off) return run(std::move(respond));
  if (app.quota <= 0) {
    app_metrics_.count(app.key, AppMetrics::Outcome::kForbidden);
    return respond(error_response(Error(ErrorKind::kForbidden, "this app may only read cached results")));
  }
  if (!s_.quota || app.quota == request::kUnlimitedQuota) {
    app_metrics_.count(app.key, AppMetrics::Outcome::kProcessed);
    return run(std::move(respond));
  }
  s_.quota->consume(app.key, app.quota, [this, key = app.key, quota = app.quota, respond = std::move(respond),
                                         run = std::move(run)](Result<cache::QuotaDecision> decision) mutable {
    // On the counter's thread: nothing may escape (respond answers once, see handle()).
    Respond answer = respond;
    if (auto e = run_guarded("quota decision", [&] {
          if (decision.ok() && !decision->allowed) {
            app_metrics_.count(key, AppMetrics::Outcome::kOverQuota);
            return respond(quota_exceeded(quota, *decision));
          }
          if (!decision.ok()) app_metrics_.quota_unavailable(decision.error());  // fail open
          app_metrics_.count(key, AppMetrics::Outcome::kProcessed);
          run(std::move(respond));
        })) {
      answer(error_response(*e));
    }
  });
}

// Shared by the job callback and the deadline timer of one waiting GET:
// whichever fires first answers.
struct Handler::Pending {
  explicit Pending(Respond r) : respond(std::move(r)) {}
  std::atomic<bool> answered{false};
  std::atomic<uint64_t> ticket{0};
  Respond respond;

  // The timer's canceller: set on the event loop (re-armed when the job moved to the video lane),
  // called from the job callback's thread.
  void set_cancel(std::function<void()> cancel) {
    std::lock_guard lock(mu_);
    cancel_timer_ = std::move(cancel);
  }
  void cancel_timer() {
    std::function<void()> cancel;
    {
      std::lock_guard lock(mu_);
      cancel.swap(cancel_timer_);
    }
    if (cancel) cancel();
  }

 private:
  std::mutex mu_;
  std::function<void()> cancel_timer_;
};

void Handler::run_job(const HttpRequest& req, request::GraphRequest&& parsed, const std::string& app_key,
                      Respond respond) {
  const bool background = req.method == "POST";
  const bool nocache = parsed.nocache;
  jobs::Job job = jobs::job_from_request(std::move(parsed));
  job.nocache = nocache;
  job.request_id = req.request_id;
  job.urgency = background ? jobs::Urgency::kBackground : jobs::Urgency::kUrgent;
  // A waiting GET's own timer answers first (and withdraws the job); the job's
  // deadline is a little later so the 504 and the cancellation come from one place.
  const auto grace = background ? std::chrono::milliseconds(0) : kJobGrace;
  const auto image_budget = background ? options_.background_timeout : options_.request_timeout;
  job.lane = jobs::lane_for(job);
  const int64_t now_ms = jobs::now_epoch_ms();
  job.video_deadline_ms = now_ms + (options_.video_timeout + grace).count();
  job.deadline_ms = job.lane == jobs::Lane::kVideo ? job.video_deadline_ms : now_ms + (image_budget + grace).count();

  if (background) {
    const std::string location = absolute(s_.storage.location(job.key));
    auto ticket = s_.jobs.submit(std::move(job), nullptr);
    if (!ticket.ok()) return respond(error_response(ticket.error()));
    app_metrics_.processed(app_key);
    return respond(future_redirect(location, parsed.varies_with_accept));
  }

  auto pending = std::make_shared<Pending>(std::move(respond));
  arm_wait_timer(pending, wait_budget(job.lane), wait_budget(job.lane));
  const bool vary = parsed.varies_with_accept;
  auto ticket = s_.jobs.submit(std::move(job), [this, pending, vary, app_key](Result<std::string> result) {
    if (pending->answered.exchange(true)) return;
    pending->cancel_timer();
    if (result.ok()) app_metrics_.processed(app_key);
    pending->respond(result.ok() ? stored_redirect(absolute(*result), options_.redirect_max_age, vary)
                                 : error_response(result.error()));
  });
  if (!ticket.ok()) {
    if (pending->answered.exchange(true)) return;
    pending->cancel_timer();
    return pending->respond(error_response(ticket.error()));
  }
  pending->ticket = *ticket;
}

std::chrono::milliseconds Handler::wait_budget(jobs::Lane lane) const {
  return lane == jobs::Lane::kVideo ? options_.video_timeout : options_.request_timeout;
}

void Handler::arm_wait_timer(const std::shared_ptr<Pending>& pending, std::chrono::milliseconds delay,
                             std::chrono::milliseconds waited) {
  pending->set_cancel(loop_.after(delay, [this, pending, waited] { on_wait_timer(pending, waited); }));
}

void Handler::on_wait_timer(const std::shared_ptr<Pending>& pending, std::chrono::milliseconds waited) {
  if (pending->answered.load()) return;
  const auto budget = wait_budget(s_.jobs.lane(pending->ticket.load()));
  if (budget > waited) return arm_wait_timer(pending, budget - waited, budget);  // its job moved to the video lane
  if (pending->answered.exchange(true)) return;
  s_.jobs.withdraw(pending->ticket.load());
  ++counters_.timeouts;
  pending->respond(error_response(
      Error(ErrorKind::kTimeout, "processing did not finish within " + std::to_string(budget.count()) + " ms")));
}

void Handler::remember_hot(const std::string& target, const request::GraphRequest& parsed,
                           const request::AuthorizedApp& app, const HttpResponse& redirect) {
  HotResponses::Validity validity{app.generation};
  if (app.valid_until != 0) {
    const ClockSource& clock = options_.clock.get();
    const auto end = std::chrono::system_clock::time_point(std::chrono::seconds(app.valid_until));
    validity.until = clock.now() + std::chrono::duration_cast<Clock::duration>(end - clock.wall_now());
  }
  HttpResponse prepared = redirect;  // as answered to a request without Origin (see hot_response)
  cors_.add_static_headers(request_path(target), prepared);
  if (!parsed.varies_with_accept) return hot_->remember(target, prepared, validity);
  hot_->remember(target, negotiation(parsed.graph), parsed.out_type, prepared, validity);
}

void Handler::job_metrics(std::string& out) const {
  jobs::render_job_series(out, s_.jobs.stats(), s_.memory, s_.job_metrics);
}

std::string Handler::absolute(const std::string& location) const {
  if (location.starts_with("http://") || location.starts_with("https://")) return location;
  return options_.public_base + location;
}

void Handler::blocking(Respond respond, std::function<void(Respond&)> fn) {
  loop_.post_blocking([respond = std::move(respond), fn = std::move(fn)]() mutable {
    if (auto e = run_guarded("blocking request work", [&] { fn(respond); })) respond(error_response(*e));
  });
}

void Handler::serve_cache(const HttpRequest& req, Respond respond) {
  const std::string key = req.target.substr(std::string("/cache/").size(), req.target.find('?') - 7);
  if (!s_.local_storage || !storage::valid_key(key)) return respond(not_found("no stored result " + key));
  const std::string etag = "\"" + key + "\"";
  auto common = [&](HttpResponse& r) {
    r.header("ETag", etag).header("Cache-Control", "public, max-age=31536000, immutable");
  };
  if (req.if_none_match == etag) {
    HttpResponse r;
    r.status = 304;
    common(r);
    return respond(std::move(r));
  }
  HttpResponse ok;
  common(ok);
  ok.header("Content-Type", std::string(storage::content_type_for_key(key)));
  blocking(std::move(respond), [this, key, ok = std::move(ok)](Respond& respond) mutable {
    auto bytes = s_.local_storage->get(key);
    if (!bytes.ok()) return respond(not_found("no stored result " + key));
    ok.body = std::move(*bytes);
    respond(std::move(ok));
  });
}

void Handler::serve_file(const HttpRequest& req, Respond respond) {
  if (!s_.files) return respond(not_found("no such file"));
  const std::string ref = req.target.substr(1);  // "files/NAME[?...]"
  blocking(std::move(respond), [this, ref](Respond& respond) {
    Stop stop;
    stop.deadline = Deadline::after(options_.request_timeout);
    auto file = s_.files->fetch(ref, fetch::FetchOptions{}, stop);
    if (!file.ok()) {
      // The fetcher reports a missing file like a failed download (504); here it is a plain 404.
      const bool missing = file.error().kind() == ErrorKind::kDownloadFailed;
      return respond(missing ? not_found("no such file") : error_response(file.error()));
    }
    HttpResponse r;
    r.body = std::move(file->bytes);
    r.header("Content-Type", file->content_type).header("Cache-Control", "public, max-age=3600");
    respond(std::move(r));
  });
}

HttpResponse Handler::metrics() const {
  std::ostringstream m;
  auto counter = [&](const char* name, uint64_t v) { m << "# TYPE " << name << " counter\n" << name << " " << v << "\n"; };
  counter("imgflo_http_requests_total", request_metrics_.requests());
  counter("imgflo_cache_hits_total", counters_.cache_hits + request_metrics_.requests(CacheOutcome::kHot));
  counter("imgflo_cache_misses_total", counters_.cache_misses);
  counter("imgflo_request_timeouts_total", counters_.timeouts);
  std::string text = m.str();
  job_metrics(text);
  HttpResponse r;
  r.body = std::move(text);
  request_metrics_.render(r.body);
  app_metrics_.render(r.body);
  r.header("Content-Type", "text/plain; version=0.0.4");
  return r;
}

}  // namespace imgflo::http
