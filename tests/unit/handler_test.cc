// http::Handler without sockets: the real catalogue (graphs/), an in-memory
// index, local storage in a scratch folder and the in-process job system with
// the test's own work function, on a TestEventLoop whose timers fire when the
// test advances a ManualClock. Every request must be answered exactly once
// (checked in TearDown, after the job system has stopped).
#include "cache/memory_cache_index.h"
#include "cache/memory_quota_counter.h"
#include "cache/redis_quota_counter.h"
#include "core/json.h"
#include "http/handler.h"
#include "http/openapi.h"
#include "jobs/local_job_system.h"
#include "core_services_util.h"
#include "support/browser_accept.h"
#include "support/service_env.h"
#include "support/test_event_loop.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace imgflo::http {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::seconds kWait{5};  // bound of every wait for another thread
const std::string kPublic = "http://public.example";
const std::string kTarget = "/graph/gradientmap.png?input=files/grid-toastybob.jpg&color1=%23082A31";

std::string target_with(const std::string& color) {
  return "/graph/gradientmap.png?input=files/grid-toastybob.jpg&color1=%23" + color;
}

std::string key_of(const std::string& target) { return request::parse_graph_request(target)->cache_key; }

std::optional<std::string> header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

// The body as JSON; a failure (and null) when it does not parse (invalid UTF-8 included).
nlohmann::json body_json(const HttpResponse& r) {
  try {
    return nlohmann::json::parse(r.body);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "body is not JSON (" << e.what() << "): " << r.body;
    return nullptr;
  }
}

// Every answer one request got.
class Reply {
 public:
  void operator()(HttpResponse r) {
    std::lock_guard lock(mu_);
    answers_.push_back(std::move(r));
    cv_.notify_all();
  }
  // The first answer, or nullopt if none came within `timeout`.
  std::optional<HttpResponse> wait(std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !answers_.empty(); })) return std::nullopt;
    return answers_.front();
  }
  size_t count() {
    std::lock_guard lock(mu_);
    return answers_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<HttpResponse> answers_;
};

// The job systems' work: records each job and answers with its future
// location; while held, a job runs until open() or until its Stop fires.
class Work {
 public:
  Result<std::string> operator()(const jobs::Job& job, const Stop& stop) {
    std::unique_lock lock(mu_);
    jobs_.push_back(job);
    cv_.notify_all();
    // Stop has no notification: re-check it every millisecond.
    while (held_ && !stop.requested()) cv_.wait_for(lock, 1ms);
    if (auto e = stop.check()) {
      ++stopped_;
      cv_.notify_all();
      return *e;
    }
    return "/cache/" + job.key;
  }
  void hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void open() {
    std::lock_guard lock(mu_);
    held_ = false;
    cv_.notify_all();
  }
  // Whether `n` jobs started (or ended by their Stop) within kWait.
  bool started(size_t n) { return wait_for([&] { return jobs_.size() >= n; }); }
  bool stopped(size_t n) { return wait_for([&] { return stopped_ >= n; }); }
  std::vector<jobs::Job> jobs() {
    std::lock_guard lock(mu_);
    return jobs_;
  }

 private:
  template <typename Pred>
  bool wait_for(Pred pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWait, pred);
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<jobs::Job> jobs_;  // guarded by mu_
  size_t stopped_ = 0;           // guarded by mu_
  bool held_ = false;            // guarded by mu_
};

// An index whose lookups throw (a bug in a service).
class ThrowingIndex final : public cache::CacheIndex {
 public:
  void get(const std::string&, cache::LookupCallback) override { throw std::runtime_error("index exploded"); }
  Status put(const std::string&, const std::string&) override { return ok_status(); }
  Status ping(std::chrono::milliseconds) override { throw std::runtime_error("index exploded"); }
};

class HandlerTest : public test::CoreServicesTest {
 protected:
  void SetUp() override {
    CoreServicesTest::SetUp();
    if (HasFatalFailure()) return;
    options_.public_base = kPublic;
    options_.version_info = R"({"imgflo-server":"test"})";
    options_.clock = clock_;  // timers and the hot path's expiry
  }

  void TearDown() override {
    if (jobs_) jobs_->stop();  // answers jobs still waiting (kCancelled)
    loop_.drain();
    for (size_t i = 0; i < replies_.size(); ++i) EXPECT_EQ(replies_[i]->count(), 1u) << "request #" << i;
  }

  // The handler, built on first use from the fixture's settings.
  Handler& handler() {
    if (!handler_) {
      jobs_ = std::make_unique<jobs::LocalJobSystem>(
          [this](const jobs::Job& job, const Stop& stop) { return work_(job, stop); }, job_options_);
      jobs_->start();
      Services services{*catalogue_, *index_, *storage_, storage_.get(), *jobs_, auth_, nullptr};
      services.quota = quota_;
      handler_ = std::make_unique<Handler>(services, options_, loop_);
    }
    return *handler_;
  }

  std::shared_ptr<Reply> send(const std::string& method, const std::string& target, const std::string& accept = "",
                              const std::string& origin = "") {
    auto reply = std::make_shared<Reply>();
    replies_.push_back(reply);
    HttpRequest request{method, target, "evil.example", "", accept};
    request.origin = origin;
    handler().handle(request, [reply](HttpResponse r) { (*reply)(std::move(r)); });
    return reply;
  }

  // The answer to a request answered without waiting on anything.
  HttpResponse answer(const std::string& method, const std::string& target, const std::string& accept = "",
                      const std::string& origin = "") {
    auto reply = send(method, target, accept, origin);
    EXPECT_EQ(reply->count(), 1u) << method << " " << target << " was not answered at once";
    return reply->wait(0ms).value_or(HttpResponse{0, {}, "no answer"});
  }

  jobs::JobStats job_stats() { return jobs_->stats(); }

  ManualClock clock_;
  test::TestEventLoop loop_{clock_};
  cache::MemoryCacheIndex memory_index_;
  cache::CacheIndex* index_ = &memory_index_;
  cache::MemoryQuotaCounter memory_quota_{clock_};
  cache::QuotaCounter* quota_ = &memory_quota_;
  request::Authenticator auth_{{}, clock_};  // its wall time: the ManualClock's
  Work work_;
  jobs::LocalJobOptions job_options_;
  HandlerOptions options_;
  std::unique_ptr<jobs::LocalJobSystem> jobs_;  // after work_: its threads call it
  std::unique_ptr<Handler> handler_;
  std::vector<std::shared_ptr<Reply>> replies_;
};

TEST_F(HandlerTest, UnknownRouteIs404Json) {
  auto r = answer("GET", "/no/such/route");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(body_json(r)["code"], 404);
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
}

TEST_F(HandlerTest, WrongMethodIs405WithAllow) {
  auto r = answer("DELETE", "/graphs");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "GET, HEAD");
  EXPECT_EQ(body_json(r)["code"], 405);
  r = answer("PUT", kTarget);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "GET, HEAD, POST");
  EXPECT_EQ(job_stats().submitted, 0u);
}

TEST_F(HandlerTest, GraphsListsTheCatalogue) {
  auto r = answer("GET", "/graphs");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_json(r)["graphs"], nlohmann::json::parse(dump_json(catalogue_->listing()))["graphs"]);
  EXPECT_TRUE(body_json(r)["graphs"].contains("gradientmap"));
  const std::string url = body_json(r)["url"].dump();
  for (const char* part : {"/graph/KEY/TOKEN/NAME[.ext]", "md5_hex", "HMAC-SHA256", "_expires", "_nocache"}) {
    EXPECT_NE(url.find(part), std::string::npos) << part << " not described: " << url;
  }
}

TEST_F(HandlerTest, OpenApiDocumentIsServedAsJson) {
  auto r = answer("GET", "/openapi.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
  EXPECT_EQ(body_json(r), nlohmann::json::parse(dump_json(http::openapi_document(*catalogue_))));
  const auto endpoints = body_json(answer("GET", "/"))["endpoints"];  // the JSON list names it
  EXPECT_NE(std::find(endpoints.begin(), endpoints.end(), "/openapi.json"), endpoints.end()) << endpoints;
}

TEST_F(HandlerTest, HealthAndVersion) {
  auto health = answer("GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(body_json(health), (nlohmann::json{{"status", "ok"}}));
  auto version = answer("GET", "/version");
  EXPECT_EQ(version.status, 200);
  EXPECT_EQ(body_json(version), nlohmann::json::parse(options_.version_info));
}

TEST_F(HandlerTest, CacheHitRedirectsToTheStoredPathNeverTheHost) {
  ASSERT_TRUE(memory_index_.put(key_of(kTarget), "/cache/" + key_of(kTarget)).ok());
  auto r = answer("GET", kTarget);
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(header(r, "Location"), kPublic + "/cache/" + key_of(kTarget));
  EXPECT_EQ(job_stats().submitted, 0u);
  EXPECT_EQ(handler().counters().cache_hits, 1u);
}

TEST_F(HandlerTest, WithoutAPublicBaseTheLocationIsTheBarePath) {
  options_.public_base = "";
  ASSERT_TRUE(memory_index_.put(key_of(kTarget), "/cache/" + key_of(kTarget)).ok());
  EXPECT_EQ(header(answer("GET", kTarget), "Location"), "/cache/" + key_of(kTarget));
  ASSERT_TRUE(memory_index_.put(key_of(target_with("FFFFFF")), "https://cdn.example/x.png").ok());
  EXPECT_EQ(header(answer("GET", target_with("FFFFFF")), "Location"), "https://cdn.example/x.png");
}

TEST_F(HandlerTest, HotPathAnswersAGetSeenAsAHit) {
  EXPECT_EQ(handler().hot_response(kTarget), nullptr);
  ASSERT_TRUE(memory_index_.put(key_of(kTarget), "/cache/" + key_of(kTarget)).ok());
  EXPECT_EQ(answer("HEAD", kTarget).status, 301);
  EXPECT_EQ(handler().hot_response(kTarget), nullptr) << "a HEAD was remembered for GETs";
  EXPECT_EQ(answer("GET", kTarget).status, 301);
  auto hot = handler().hot_response(kTarget);
  ASSERT_NE(hot, nullptr);
  EXPECT_EQ(hot->rfind("HTTP/1.1 301 ", 0), 0u) << *hot;
  EXPECT_NE(hot->find("\r\nLocation: " + kPublic + "/cache/" + key_of(kTarget) + "\r\n"), std::string::npos) << *hot;
  EXPECT_EQ(handler().hot_response(target_with("000000")), nullptr);
  EXPECT_EQ(handler().counters().cache_hits, 2u);  // HEAD, GET (the transport counts hot-path answers)
}

TEST_F(HandlerTest, AnswersCarryTheirCacheOutcome) {
  EXPECT_EQ(answer("GET", "/health").cache, CacheOutcome::kNone);
  EXPECT_EQ(answer("GET", "/graph/nosuchgraph?input=files/a.jpg").cache, CacheOutcome::kNone) << "no lookup made";
  EXPECT_EQ(answer("HEAD", kTarget).cache, CacheOutcome::kMiss);
  auto processed = send("GET", kTarget)->wait();
  ASSERT_TRUE(processed.has_value());
  EXPECT_EQ(processed->status, 301);
  EXPECT_EQ(processed->cache, CacheOutcome::kMiss);
  ASSERT_TRUE(memory_index_.put(key_of(kTarget), "/cache/" + key_of(kTarget)).ok());
  auto hit = answer("GET", kTarget);
  EXPECT_EQ(hit.status, 301);
  EXPECT_EQ(hit.cache, CacheOutcome::kHit);
  EXPECT_EQ(answer("POST", target_with("FFFFFF")).cache, CacheOutcome::kMiss);
  ASSERT_TRUE(work_.started(2));
}

TEST_F(HandlerTest, TheRequestIdTravelsWithTheJob) {
  auto reply = std::make_shared<Reply>();
  replies_.push_back(reply);
  HttpRequest request{"GET", kTarget, "", "", "", "req-42"};
  handler().handle(request, [reply](HttpResponse r) { (*reply)(std::move(r)); });
  ASSERT_TRUE(reply->wait().has_value());
  const auto jobs = work_.jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].request_id, "req-42");
}

TEST_F(HandlerTest, MetricsShowTheRequestsTheTransportRecorded) {
  handler().request_metrics().record(Route::kGraph, 301, CacheOutcome::kHot, 100us);
  handler().request_metrics().record(Route::kHealth, 200, CacheOutcome::kNone, 100us);
  const auto r = answer("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\nimgflo_http_requests_total 2\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\nimgflo_cache_hits_total 1\n"), std::string::npos) << "hot answers are hits";
  EXPECT_NE(r.body.find("imgflo_http_request_duration_seconds_count{route=\"graph\",status=\"3xx\",cache=\"hot\"} 1\n"),
            std::string::npos)
      << r.body;
}

TEST_F(HandlerTest, MetricsWithAListenerOfTheirOwnAreNotOnTheMainRoutes) {
  options_.metrics_route = false;
  EXPECT_EQ(answer("GET", "/metrics").status, 404);
  EXPECT_NE(handler().metrics().body.find("imgflo_http_requests_total"), std::string::npos);
}

TEST_F(HandlerTest, HotPathEntriesExpireOnTheHandlersClock) {
  options_.hot_ttl = 10s;
  ASSERT_TRUE(memory_index_.put(key_of(kTarget), "/cache/" + key_of(kTarget)).ok());
  EXPECT_EQ(answer("GET", kTarget).status, 301);
  ASSERT_NE(handler().hot_response(kTarget), nullptr);
  clock_.advance(9s);
  EXPECT_NE(handler().hot_response(kTarget), nullptr) << "expired before its ttl";
  clock_.advance(1s);
  EXPECT_EQ(handler().hot_response(kTarget), nullptr) << "still hot after its ttl";
}

TEST_F(HandlerTest, MissRunsTheJobAndRedirects) {
  auto reply = send("GET", kTarget);
  auto r = reply->wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(header(*r, "Location"), kPublic + "/cache/" + key_of(kTarget));
  const auto jobs = work_.jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].key, key_of(kTarget));
  EXPECT_EQ(jobs[0].graph, "gradientmap");
  EXPECT_EQ(jobs[0].out_type, "png");
  EXPECT_EQ(jobs[0].input, "files/grid-toastybob.jpg");
  EXPECT_EQ(jobs[0].urgency, jobs::Urgency::kUrgent);
  EXPECT_EQ(handler().counters().cache_misses, 1u);
  EXPECT_EQ(loop_.timers(), 0u) << "the deadline timer outlived the answer";
}

TEST_F(HandlerTest, HeadMissIs404WithoutSubmitting) {
  auto r = answer("HEAD", kTarget);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(body_json(r)["code"], 404);
  EXPECT_EQ(job_stats().submitted, 0u);
  EXPECT_TRUE(work_.jobs().empty());
}

TEST_F(HandlerTest, PostIsAcceptedAndProcessedInTheBackground) {
  auto r = answer("POST", kTarget);
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(header(r, "Location"), kPublic + "/cache/" + key_of(kTarget));
  ASSERT_TRUE(work_.started(1));
  EXPECT_EQ(work_.jobs()[0].urgency, jobs::Urgency::kBackground);
  EXPECT_EQ(loop_.timers(), 0u) << "a POST does not wait";
}

TEST_F(HandlerTest, DeadlineExpiryIs504AndWithdrawsTheJob) {
  work_.hold();
  auto reply = send("GET", kTarget);
  ASSERT_TRUE(work_.started(1));
  EXPECT_EQ(loop_.advance(options_.request_timeout - 1ms), 0);
  EXPECT_EQ(reply->count(), 0u) << "answered before the deadline";
  EXPECT_EQ(loop_.advance(1ms), 1);
  ASSERT_EQ(reply->count(), 1u);
  auto r = *reply->wait(0ms);
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(body_json(r)["code"], 504);
  EXPECT_TRUE(work_.stopped(1)) << "the withdrawn job kept running";
  EXPECT_EQ(handler().counters().timeouts, 1u);
}

TEST_F(HandlerTest, FullQueueIs503WithRetryAfter) {
  job_options_.workers = 1;
  job_options_.queue_limit = 1;
  work_.hold();
  auto running = send("GET", target_with("000001"));
  ASSERT_TRUE(work_.started(1));
  auto queued = send("GET", target_with("000002"));
  auto r = answer("GET", target_with("000003"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(header(r, "Retry-After"), "1");
  EXPECT_EQ(body_json(r)["code"], 503);
  EXPECT_EQ(job_stats().rejected, 1u);
  work_.open();
  for (auto& reply : {running, queued}) {
    auto done = reply->wait();
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->status, 301);
  }
}

TEST_F(HandlerTest, UnknownParameterAndUnsupportedTypeAre449) {
  auto unknown = answer("GET", kTarget + "&nosuchparameter=1");
  EXPECT_EQ(unknown.status, 449);
  EXPECT_EQ(body_json(unknown)["type"], "unknown-parameter");
  auto type = answer("GET", "/graph/gradientmap.exe?input=files/grid-toastybob.jpg");
  EXPECT_EQ(type.status, 449);
  EXPECT_EQ(body_json(type)["code"], 449);
  EXPECT_EQ(job_stats().submitted, 0u);
}

TEST_F(HandlerTest, SizeRuleIs422) {
  auto r = answer("GET", "/graph/passthrough.png?input=files/grid-toastybob.jpg&width=10000&height=10000");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(body_json(r)["code"], 422);
  auto free_side = answer("GET", "/graph/passthrough.png?input=files/grid-toastybob.jpg&width=1000000&height=0");
  EXPECT_EQ(free_side.status, 422) << "a free side counts as the largest";
  EXPECT_EQ(job_stats().submitted, 0u);
}

TEST_F(HandlerTest, AuthRefusesUnsignedAndWronglySignedRequests) {
  auth_.replace({request::App{"app", "secret", false}});
  const std::string spec = "gradientmap.png", search = "?input=files/grid-toastybob.jpg";
  EXPECT_EQ(answer("GET", "/graph/" + spec + search).status, 403);
  const std::string wrong = request::Authenticator::md5_token(spec, search, "not the secret");
  auto r = answer("GET", "/graph/app/" + wrong + "/" + spec + search);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(body_json(r)["code"], 403);
  EXPECT_EQ(r.body.find("secret"), std::string::npos) << r.body;
  EXPECT_EQ(job_stats().submitted, 0u);
  const std::string token = request::Authenticator::md5_token(spec, search, "secret");
  auto signed_reply = send("GET", "/graph/app/" + token + "/" + spec + search);
  auto ok = signed_reply->wait();
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 301);
}

// The md5-signed target for gradientmap.png with `search`.
std::string signed_gradientmap(const std::string& key, const std::string& secret, const std::string& search) {
  const std::string spec = "gradientmap.png";
  return "/graph/" + key + "/" + request::Authenticator::md5_token(spec, search, secret) + "/" + spec + search;
}

TEST_F(HandlerTest, QuotaZeroReadsCachedResultsOnly) {
  auth_.replace({request::App{"reader", "secret", false, /*processing_quota=*/0}});
  const std::string search = "?input=files/grid-toastybob.jpg";
  const std::string target = signed_gradientmap("reader", "secret", search);
  auto refused = answer("GET", target);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(body_json(refused)["error"], "this app may only read cached results");
  EXPECT_EQ(answer("POST", target).status, 403);
  EXPECT_EQ(job_stats().submitted, 0u);
  ASSERT_TRUE(memory_index_.put(key_of(target), "/cache/" + key_of(target)).ok());
  EXPECT_EQ(answer("GET", target).status, 301);
}

TEST_F(HandlerTest, HotPathForgetsEverythingWhenTheAppsChange) {
  auth_.replace({request::App{"app", "secret"}});
  const std::string target = signed_gradientmap("app", "secret", "?input=files/grid-toastybob.jpg");
  ASSERT_TRUE(memory_index_.put(key_of(target), "/cache/" + key_of(target)).ok());
  EXPECT_EQ(answer("GET", target).status, 301);
  ASSERT_NE(handler().hot_response(target), nullptr);
  auth_.replace({request::App{"app", "secret", false, 1, /*enabled=*/false}});
  EXPECT_EQ(handler().hot_response(target), nullptr) << "a disabled app's result stayed on the hot path";
  auto refused = answer("GET", target);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(body_json(refused)["error"], "app disabled");
  EXPECT_EQ(handler().hot_response(target), nullptr);
}

TEST_F(HandlerTest, HotPathNeverServesAfterExpires) {
  auth_.replace({request::App{"app", "secret"}});
  const std::string search =
      "?input=files/grid-toastybob.jpg&_expires=" + std::to_string(clock_.unix_seconds() + 2);
  const std::string target = signed_gradientmap("app", "secret", search);
  ASSERT_TRUE(memory_index_.put(key_of(target), "/cache/" + key_of(target)).ok());
  EXPECT_EQ(answer("GET", target).status, 301);
  ASSERT_NE(handler().hot_response(target), nullptr);
  clock_.advance(1999ms);
  EXPECT_NE(handler().hot_response(target), nullptr);
  clock_.advance(1ms);
  EXPECT_EQ(handler().hot_response(target), nullptr) << "served after its _expires";
  auto refused = answer("GET", target);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(body_json(refused)["error"], "expired");
}

TEST_F(HandlerTest, HotPathNeverServesAnOldSecretAfterItsGrace) {
  request::App rotated{"app", "new"};
  rotated.previous_secret = "old";
  rotated.previous_secret_expires_at = clock_.unix_seconds() + 3;
  auth_.replace({rotated});
  const std::string target = signed_gradientmap("app", "old", "?input=files/grid-toastybob.jpg");
  ASSERT_TRUE(memory_index_.put(key_of(target), "/cache/" + key_of(target)).ok());
  EXPECT_EQ(answer("GET", target).status, 301);
  ASSERT_NE(handler().hot_response(target), nullptr);
  clock_.advance(3s);
  EXPECT_EQ(handler().hot_response(target), nullptr);
  EXPECT_EQ(answer("GET", target).status, 403);
}

TEST_F(HandlerTest, NonUtf8TargetsGetJsonErrors) {
  for (const std::string& target : {std::string("/no\xff\xfe route"), std::string("/graph/\xc3\x28.png?input=x"),
                                   kTarget + "&color2=%FF%FE", kTarget + "&%C3%28=1", std::string("/cache/\xff")}) {
    auto r = answer("GET", target);
    EXPECT_GE(r.status, 400) << target;
    EXPECT_LT(r.status, 500) << target;
    EXPECT_TRUE(body_json(r).contains("code")) << target;
  }
  EXPECT_EQ(job_stats().submitted, 0u);
}

TEST_F(HandlerTest, AThrowingServiceIs500WithAnErrorIdOnce) {
  ThrowingIndex throwing;
  index_ = &throwing;
  auto r = answer("GET", kTarget);
  EXPECT_EQ(r.status, 500);
  auto body = body_json(r);
  EXPECT_TRUE(body.contains("error_id")) << r.body;
  EXPECT_EQ(r.body.find("exploded"), std::string::npos) << "internals reached the client: " << r.body;
  EXPECT_EQ(job_stats().submitted, 0u);
}

TEST_F(HandlerTest, StoredResultsAreReadOffTheLoop) {
  const std::string key = key_of(kTarget);
  ASSERT_TRUE(storage_->put(key, "png bytes", "image/png").ok());
  auto reply = send("GET", "/cache/" + key);
  EXPECT_EQ(reply->count(), 0u) << "read on the event loop";
  EXPECT_EQ(loop_.drain(), 1);
  auto r = reply->wait(0ms);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "png bytes");
  EXPECT_EQ(header(*r, "ETag"), "\"" + key + "\"");
}

// Format negotiation (request/negotiate.h) and the redirect headers (http/redirect.h). Chrome's
// Accept names AVIF first, and imgflo graphs write it: Chrome negotiates to AVIF.
const std::string& kChrome = test::kChromeAccept;
const std::string kPlain = "/graph/gradientmap?input=files/grid-toastybob.jpg&color1=%23082A31";

// The answer to a request that runs its job (Work answers at once).
HttpResponse waited(const std::shared_ptr<Reply>& reply) {
  auto r = reply->wait();
  EXPECT_TRUE(r.has_value()) << "no answer within " << kWait.count() << " s";
  return r.value_or(HttpResponse{0, {}, "no answer"});
}

TEST_F(HandlerTest, ABrowserGetsTheNegotiatedTypeWithVaryAndCacheControl) {
  const HttpResponse r = waited(send("GET", kPlain, kChrome));
  const std::string avif_key = key_of(kPlain).substr(0, 40) + ".avif";
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(header(r, "Location"), kPublic + "/cache/" + avif_key);
  EXPECT_EQ(header(r, "Vary"), "Accept");
  EXPECT_EQ(header(r, "Cache-Control"), "public, max-age=86400");
  ASSERT_EQ(work_.jobs().size(), 1u);
  EXPECT_EQ(work_.jobs()[0].out_type, "avif");
  EXPECT_EQ(work_.jobs()[0].key, avif_key);
}

TEST_F(HandlerTest, CurlKeepsTheOriginalsKeyButTheAnswerVaries) {
  for (const char* accept : {"", "*/*", "image/*"}) {
    const HttpResponse r = waited(send("GET", kPlain, accept));
    EXPECT_EQ(header(r, "Location"), kPublic + "/cache/" + key_of(kPlain)) << accept;
    EXPECT_EQ(key_of(kPlain).substr(40), ".jpg");
    EXPECT_EQ(header(r, "Vary"), "Accept") << "a CDN must not hand this JPEG to a browser";
    EXPECT_EQ(header(r, "Cache-Control"), "public, max-age=86400");
  }
  for (const auto& job : work_.jobs()) EXPECT_EQ(job.out_type, "jpg");
}

TEST_F(HandlerTest, AnExplicitExtensionNeverNegotiatesNorVaries) {
  ASSERT_TRUE(memory_index_.put(key_of(kTarget), "/cache/" + key_of(kTarget)).ok());
  const HttpResponse r = answer("GET", kTarget, kChrome);
  EXPECT_EQ(header(r, "Location"), kPublic + "/cache/" + key_of(kTarget));
  EXPECT_EQ(header(r, "Vary"), std::nullopt);
  EXPECT_EQ(header(r, "Cache-Control"), "public, max-age=86400");
}

TEST_F(HandlerTest, NegotiationOffKeepsJpegWithoutVary) {
  options_.auto_formats = {};
  options_.redirect_max_age = 0s;
  const HttpResponse r = waited(send("GET", kPlain, kChrome));
  EXPECT_EQ(header(r, "Location"), kPublic + "/cache/" + key_of(kPlain));
  EXPECT_EQ(header(r, "Vary"), std::nullopt);
  EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
}

TEST_F(HandlerTest, AGraphThatMakesTransparencyFallsBackToPng) {
  const std::string target = "/graph/croprotate?input=files/grid-toastybob.jpg&degrees=30";
  EXPECT_EQ(header(waited(send("GET", target, "image/webp;q=0,image/avif;q=0,*/*")), "Location"),
            kPublic + "/cache/" + key_of(target).substr(0, 40) + ".png");
  EXPECT_EQ(header(waited(send("GET", target, "*/*")), "Location"), kPublic + "/cache/" + key_of(target))
      << "not negotiated: the original's JPEG";
  EXPECT_EQ(header(waited(send("GET", target, kChrome)), "Location"),
            kPublic + "/cache/" + key_of(target).substr(0, 40) + ".avif");
}

TEST_F(HandlerTest, PostNegotiatesTheFutureUrl) {
  const HttpResponse r = answer("POST", kPlain, kChrome);
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(header(r, "Location"), kPublic + "/cache/" + key_of(kPlain).substr(0, 40) + ".avif");
  EXPECT_EQ(header(r, "Vary"), "Accept");
  EXPECT_EQ(header(r, "Cache-Control"), std::nullopt) << "a 202 is not cacheable";
  ASSERT_TRUE(work_.started(1));
  EXPECT_EQ(work_.jobs()[0].out_type, "avif");
}

TEST_F(HandlerTest, HotPathNeverServesOneClientsNegotiatedAnswerToAnother) {
  const std::string avif_key = key_of(kPlain).substr(0, 40) + ".avif";
  ASSERT_TRUE(memory_index_.put(avif_key, "/cache/" + avif_key).ok());
  EXPECT_EQ(answer("GET", kPlain, kChrome).status, 301);
  auto hot = handler().hot_response(kPlain, kChrome);
  ASSERT_NE(hot, nullptr);
  EXPECT_NE(hot->find("/cache/" + avif_key + "\r\n"), std::string::npos) << *hot;
  EXPECT_NE(hot->find("\r\nVary: Accept\r\n"), std::string::npos) << *hot;
  EXPECT_NE(hot->find("\r\nCache-Control: public, max-age=86400\r\n"), std::string::npos) << *hot;
  EXPECT_EQ(handler().hot_response(kPlain, "image/avif,*/*"), hot) << "same negotiated type";
  for (const char* other : {"", "*/*", "image/webp;q=0", "image/webp,*/*"}) {
    EXPECT_EQ(handler().hot_response(kPlain, other), nullptr) << other;
  }
}

// /ready (http/readiness.h): every check named; the TestEventLoop runs no timer unless the
// test advances it, so its event loop is a stuck one.
TEST_F(HandlerTest, ReadyNamesEveryCheckAndAStuckEventLoopIs503) {
  options_.readiness.timeout = 20ms;
  auto r = send("GET", "/ready")->wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  const auto json = body_json(*r);
  EXPECT_EQ(json["status"], "not ready");
  EXPECT_EQ(json["checks"]["event_loop"]["error"], "timeout");
  for (const char* name : {"accepting", "jobs", "cache_index", "storage"}) {
    EXPECT_EQ(json["checks"][name]["ok"], true) << name << ": " << r->body;
    EXPECT_TRUE(json["checks"][name]["ms"].is_number()) << name;
  }
  EXPECT_EQ(header(*r, "Cache-Control"), "no-store");
  EXPECT_EQ(answer("GET", "/health").status, 200) << "liveness is not readiness";
}

TEST_F(HandlerTest, ReadyIs503AtOnceWhenDraining) {
  options_.readiness.timeout = 20ms;
  auto draining = std::make_shared<std::atomic<bool>>(false);
  options_.draining = [draining] { return draining->load(); };
  auto first = send("GET", "/ready")->wait();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(body_json(*first)["checks"]["accepting"]["ok"], true);
  *draining = true;
  const HttpResponse r = answer("GET", "/ready");  // the cached report, with the flag read now
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(body_json(r)["checks"]["accepting"]["error"], "unavailable");
}

TEST_F(HandlerTest, ReadyReportsAThrowingIndexAsAFailedCheck) {
  ThrowingIndex throwing;
  index_ = &throwing;
  options_.readiness.timeout = 20ms;
  auto r = send("GET", "/ready")->wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(body_json(*r)["checks"]["cache_index"]["error"], "internal");
  EXPECT_EQ(r->body.find("exploded"), std::string::npos);
}

// CORS (http/cors.h) through the handler: preflights, echoed origins, and the hot path.
TEST_F(HandlerTest, PreflightsAreAnsweredPerRoute) {
  options_.cors.other_routes = *parse_cors_origins("https://app.example.com");
  HttpResponse r = answer("OPTIONS", kTarget, "", "https://app.example.com");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(header(r, "Access-Control-Allow-Methods"), "GET, HEAD, POST, OPTIONS");
  EXPECT_EQ(header(r, "Vary"), "Origin");
  r = answer("OPTIONS", "/graphs", "", "https://other.example");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(r, "Access-Control-Allow-Methods"), "GET, HEAD, OPTIONS");
  r = answer("OPTIONS", "/health", "", "https://evil.example");
  EXPECT_EQ(r.status, 204);
  EXPECT_FALSE(header(r, "Access-Control-Allow-Origin").has_value());
  EXPECT_EQ(answer("OPTIONS", "/no/such/route", "", "https://app.example.com").status, 404);
  EXPECT_EQ(job_stats().submitted, 0u);
}

TEST_F(HandlerTest, AnOriginListIsEchoedButNeverPreparedOnTheHotPath) {
  options_.cors.other_routes = *parse_cors_origins("https://app.example.com");
  ASSERT_TRUE(memory_index_.put(key_of(kTarget), "/cache/" + key_of(kTarget)).ok());
  HttpResponse r = answer("GET", kTarget, "", "https://app.example.com");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(header(r, "Access-Control-Expose-Headers"), "Location");
  EXPECT_EQ(header(r, "Vary"), "Origin");
  auto hot = handler().hot_response(kTarget);
  ASSERT_NE(hot, nullptr);
  EXPECT_NE(hot->find("\r\nVary: Origin\r\n"), std::string::npos) << *hot;
  EXPECT_EQ(hot->find("Access-Control-Allow-Origin"), std::string::npos) << *hot;
  EXPECT_EQ(handler().hot_response(kTarget, "", "https://app.example.com"), nullptr) << "an Origin takes the full path";
  r = answer("GET", kTarget, "", "https://evil.example");
  EXPECT_EQ(r.status, 301);
  EXPECT_FALSE(header(r, "Access-Control-Allow-Origin").has_value());
}

TEST_F(HandlerTest, AnyOriginIsPreparedOnTheHotPath) {
  options_.cors.other_routes.any = true;
  ASSERT_TRUE(memory_index_.put(key_of(kTarget), "/cache/" + key_of(kTarget)).ok());
  EXPECT_EQ(header(answer("GET", kTarget), "Access-Control-Allow-Origin"), "*");
  auto hot = handler().hot_response(kTarget, "", "https://app.example.com");
  ASSERT_NE(hot, nullptr);
  EXPECT_NE(hot->find("\r\nAccess-Control-Allow-Origin: *\r\n"), std::string::npos) << *hot;
  EXPECT_NE(hot->find("\r\nAccess-Control-Expose-Headers: Location\r\n"), std::string::npos) << *hot;
}

// The Location comes from the public base, never from the Host header ("evil.example" in every
// request here), on the full path and in the hot path's prepared bytes.
TEST_F(HandlerTest, PreparedAnswersNeverDependOnTheHost) {
  ASSERT_TRUE(memory_index_.put(key_of(kTarget), "/cache/" + key_of(kTarget)).ok());
  EXPECT_EQ(header(answer("GET", kTarget), "Location"), kPublic + "/cache/" + key_of(kTarget));
  auto hot = handler().hot_response(kTarget);
  ASSERT_NE(hot, nullptr);
  EXPECT_EQ(hot->find("evil.example"), std::string::npos) << *hot;
  EXPECT_NE(hot->find("\r\nLocation: " + kPublic + "/cache/" + key_of(kTarget) + "\r\n"), std::string::npos) << *hot;
}

// The processing quota: each miss that runs a job consumes one; a used-up quota is 429 with
// Retry-After until the window slides; cached results and HEAD never count.
TEST_F(HandlerTest, AUsedUpQuotaIs429UntilTheWindowSlidesCachedResultsStillServed) {
  auth_.replace({request::App{"app", "secret", false, /*processing_quota=*/2}});
  const auto target = [](const std::string& color) {
    return signed_gradientmap("app", "secret", "?input=files/grid-toastybob.jpg&color1=%23" + color);
  };
  for (const char* color : {"111111", "222222"}) {
    auto done = send("GET", target(color))->wait();
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->status, 301) << done->body;
  }
  clock_.advance(30s);
  auto over = answer("GET", target("333333"));
  EXPECT_EQ(over.status, 429) << over.body;
  EXPECT_EQ(body_json(over)["type"], "quota-exceeded");
  EXPECT_EQ(body_json(over)["error"], "processing quota of 2 images per 24 h used");
  EXPECT_EQ(body_json(over)["used"], 2);
  EXPECT_EQ(header(over, "Retry-After"), std::to_string(24 * 3600 - 30));
  EXPECT_EQ(answer("POST", target("333333")).status, 429);
  EXPECT_EQ(answer("HEAD", target("333333")).status, 404) << "HEAD never counts";
  ASSERT_TRUE(memory_index_.put(key_of(target("111111")), "/cache/" + key_of(target("111111"))).ok());
  EXPECT_EQ(answer("GET", target("111111")).status, 301) << "a cached result is always served";
  EXPECT_EQ(job_stats().submitted, 2u);

  const AppMetrics& m = handler().app_metrics();
  EXPECT_EQ(m.requests("app", AppMetrics::Outcome::kProcessed), 2u);
  EXPECT_EQ(m.requests("app", AppMetrics::Outcome::kOverQuota), 2u);
  EXPECT_EQ(m.requests("app", AppMetrics::Outcome::kHit), 1u);
  const std::string metrics = handler().metrics().body;
  EXPECT_NE(metrics.find("imgflo_app_processed_total{app=\"app\"} 2\n"), std::string::npos) << metrics;

  clock_.advance(24h);
  auto again = send("GET", target("333333"))->wait();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 301) << again->body;
}

TEST_F(HandlerTest, AnUnlimitedAppAndAuthOffAreNeverCounted) {
  auth_.replace({request::App{"admin", "secret", true}});  // processing_quota: unlimited (the env admin)
  auto done = send("GET", signed_gradientmap("admin", "secret", "?input=files/grid-toastybob.jpg"))->wait();
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->status, 301);
  EXPECT_EQ(memory_quota_.TEST_apps(), 0u);
  EXPECT_EQ(handler().app_metrics().requests("admin", AppMetrics::Outcome::kProcessed), 1u);
}

TEST_F(HandlerTest, AnUnreachableQuotaCounterAllowsProcessing) {
  cache::RedisClientOptions options;
  options.endpoint.port = test::closed_port();
  auto client = cache::RedisClient::create(options);
  ASSERT_TRUE(client.ok());
  cache::RedisQuotaCounter redis_quota(*client, {});
  quota_ = &redis_quota;
  auth_.replace({request::App{"app", "secret", false, 1}});
  for (const char* color : {"111111", "222222"}) {
    auto done = send("GET", signed_gradientmap("app", "secret", "?input=files/grid-toastybob.jpg&color1=%23" +
                                                                    std::string(color)))->wait();
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->status, 301) << "fail open: " << done->body;
  }
  const std::string metrics = handler().metrics().body;
  EXPECT_NE(metrics.find("\nimgflo_quota_unavailable_total 2\n"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace imgflo::http
