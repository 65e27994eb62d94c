// jobs::Processor with in-process services: the real catalogue (graphs/),
// local storage in a scratch folder, the in-memory index and in-flight
// markers, and inputs of the test's own (the bundled examples, counted, held
// on demand). Nothing here sleeps: waits are on conditions, bounded by kWait.
#include "cache/memory_cache_index.h"
#include "cache/memory_inflight.h"
#include "jobs/processor.h"
#include "core_services_util.h"
#include "support/prometheus_text.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>

namespace imgflo::jobs {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::seconds kWait{5};
const std::string kInput = "files/grid-toastybob.jpg";

// Blocks until `pred` holds (under `lock`) or kWait passed; whether it holds.
template <typename Pred>
bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Pred pred) {
  return cv.wait_for(lock, kWait, pred);
}

// files/NAME from the bundled examples; counts fetches; while held, a fetch
// waits for open() (or its Stop).
class Inputs final : public fetch::Fetcher {
 public:
  Result<fetch::Fetched> fetch(const std::string& url, const fetch::FetchOptions&, const Stop& stop) override {
    std::unique_lock lock(mu_);
    ++fetches_;
    cv_.notify_all();
    while (held_ && !stop.requested()) cv_.wait_for(lock, 1ms);  // Stop has no notification
    if (auto e = stop.check()) return *e;
    return fetch::Fetched{test::read_file(test::example(url.substr(std::string("files/").size()))), url, "image/jpeg",
                          200};
  }
  void hold() { set_held(true); }
  void open() { set_held(false); }
  bool fetched(int n) {
    std::unique_lock lock(mu_);
    return wait_until(cv_, lock, [&] { return fetches_ >= n; });
  }
  int fetches() {
    std::lock_guard lock(mu_);
    return fetches_;
  }

 private:
  void set_held(bool held) {
    std::lock_guard lock(mu_);
    held_ = held;
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  int fetches_ = 0;    // guarded by mu_
  bool held_ = false;  // guarded by mu_
};

// A store whose writes fail, saying things clients must not see.
class FailingStorage final : public storage::Storage {
 public:
  Result<std::string> put(const std::string&, std::string_view, std::string_view) override {
    return Error(ErrorKind::kInternal, "PUT s3://secret-bucket/x: 403 SignatureDoesNotMatch");
  }
  Result<std::string> get(const std::string&) override { return Error(ErrorKind::kNotFound, "absent"); }
  Result<bool> exists(const std::string&) override { return false; }
  std::string location(const std::string& key) const override { return "/cache/" + key; }
  Status ping(std::chrono::milliseconds) override { return ok_status(); }
};

// Memory markers that tell the test when someone starts watching.
class ObservedInflight final : public cache::InflightMarkers {
 public:
  explicit ObservedInflight(const ClockSource& clock) : markers_(cache::MemoryInflight::Options{}, clock) {}
  void try_claim(const std::string& key, const std::string& owner, std::chrono::milliseconds ttl,
                 cache::ClaimCallback done) override {
    markers_.try_claim(key, owner, ttl, std::move(done));
  }
  void release(const std::string& key, const std::string& owner, const std::string& message,
               cache::BoolCallback done) override {
    markers_.release(key, owner, message, std::move(done));
  }
  uint64_t watch(const std::string& key, cache::EndCallback done) override {
    const uint64_t id = markers_.watch(key, std::move(done));
    std::lock_guard lock(mu_);
    ++watches_;
    cv_.notify_all();
    return id;
  }
  void unwatch(uint64_t id) override { markers_.unwatch(id); }
  bool watched(int n) {
    std::unique_lock lock(mu_);
    return wait_until(cv_, lock, [&] { return watches_ >= n; });
  }

 private:
  cache::MemoryInflight markers_;
  std::mutex mu_;
  std::condition_variable cv_;
  int watches_ = 0;  // guarded by mu_
};

class ProcessorTest : public test::CoreServicesTest {
 protected:
  std::unique_ptr<Processor> processor(storage::Storage* storage = nullptr, cache::InflightMarkers* inflight = nullptr) {
    return std::make_unique<Processor>(*catalogue_, inputs_, storage ? *storage : *storage_, index_, auth_, options_,
                                       inflight);
  }

  // A passthrough job for `input` (a reference as a client would put it in the query).
  static Job job_for(const std::string& input, const std::string& graph = "passthrough") {
    auto parsed = request::parse_graph_request("/graph/" + graph + ".png?input=" + input);
    EXPECT_TRUE(parsed.ok());
    return Job{.id = new_job_id(), .key = parsed->cache_key, .graph = parsed->graph, .out_type = parsed->out_type,
               .params = parsed->params, .input = parsed->input};
  }

  std::optional<std::string> indexed(const std::string& key) {
    std::optional<std::string> out;
    index_.get(key, [&](Result<std::optional<std::string>> r) { out = r.ok() ? *r : std::nullopt; });
    return out;
  }

  Inputs inputs_;
  cache::MemoryCacheIndex index_;
  request::Authenticator auth_{std::vector<request::App>{}};
  ProcessorOptions options_;
};

// graph/... as the inner request's query value: percent-encoded once.
std::string chained(const std::string& inner_input) {
  std::string out = "graph%2Fpassthrough.png%3Finput%3D";
  for (char c : inner_input) out += c == '/' ? std::string("%2F") : c == '%' ? std::string("%25") : std::string(1, c);
  return out;
}

TEST_F(ProcessorTest, RunsStoresAndIndexes) {
  auto p = processor();
  const Job job = job_for(kInput);
  auto location = p->process(job, Stop{});
  ASSERT_TRUE(location.ok()) << location.error().message();
  EXPECT_EQ(*location, "/cache/" + job.key);
  EXPECT_EQ(indexed(job.key), *location);
  auto stored = storage_->get(job.key);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->rfind("\x89PNG", 0), 0u);
  EXPECT_EQ(p->graph_runs(), 1u);
  EXPECT_EQ(inputs_.fetches(), 1);
}

TEST_F(ProcessorTest, AResultStoredMeanwhileIsNotProcessedAgain) {
  auto p = processor();
  const Job job = job_for(kInput);
  ASSERT_TRUE(index_.put(job.key, "https://cdn.example/stored.png").ok());
  auto location = p->process(job, Stop{});
  ASSERT_TRUE(location.ok());
  EXPECT_EQ(*location, "https://cdn.example/stored.png");
  EXPECT_EQ(p->graph_runs(), 0u);
  EXPECT_EQ(inputs_.fetches(), 0);
  EXPECT_FALSE(*storage_->exists(job.key));
}

TEST_F(ProcessorTest, ChainedInputsAreResolvedInsideAndStored) {
  auto p = processor();
  const Job outer = job_for(chained(kInput));
  ASSERT_EQ(outer.input, "graph/passthrough.png?input=files/grid-toastybob.jpg");
  auto location = p->process(outer, Stop{});
  ASSERT_TRUE(location.ok()) << location.error().message();
  EXPECT_EQ(p->graph_runs(), 2u);
  EXPECT_EQ(inputs_.fetches(), 1);
  const std::string inner_key = request::parse_graph_request("/" + *outer.input)->cache_key;
  EXPECT_EQ(indexed(inner_key), "/cache/" + inner_key) << "the inner result is stored like any other";
  // Another request on the same inner one reads it back instead of running it.
  const Job other = job_for(chained(kInput), "desaturate");
  ASSERT_TRUE(p->process(other, Stop{}).ok());
  EXPECT_EQ(p->graph_runs(), 3u);
  EXPECT_EQ(inputs_.fetches(), 1);
}

TEST_F(ProcessorTest, ChainedInputsDeeperThanTheLimitAreRefused) {
  options_.max_depth = 1;
  const Job twice = job_for(chained(chained(kInput)));
  auto refused = processor()->process(twice, Stop{});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("nested deeper than 1"), std::string::npos) << refused.error().message();
  EXPECT_EQ(inputs_.fetches(), 0);
  EXPECT_FALSE(*storage_->exists(twice.key));
  options_.max_depth = 2;
  EXPECT_TRUE(processor()->process(twice, Stop{}).ok());
}

TEST_F(ProcessorTest, StorageFailureIs503WithAnErrorId) {
  FailingStorage failing;
  const Job job = job_for(kInput);
  auto r = processor(&failing)->process(job, Stop{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status(), 503);
  EXPECT_TRUE(r.error().details().contains("error_id")) << r.error().details().dump();
  EXPECT_EQ(r.error().message().find("secret-bucket"), std::string::npos) << r.error().message();
  EXPECT_EQ(indexed(job.key), std::nullopt);
}

TEST_F(ProcessorTest, ASecondProcessorWaitsForTheFirstsRelease) {
  ObservedInflight markers(system_clock());
  auto first = processor(nullptr, &markers);
  auto second = processor(nullptr, &markers);
  const Job job = job_for(kInput);
  Job same = job;  // the same request through another frontend
  same.id = new_job_id();
  inputs_.hold();
  auto a = std::async(std::launch::async, [&] { return first->process(job, Stop{}); });
  const bool claimed = inputs_.fetched(1);  // the first holds the claim now
  auto b = std::async(std::launch::async, [&] { return second->process(same, Stop{}); });
  const bool waited = claimed && markers.watched(1);
  inputs_.open();
  EXPECT_TRUE(claimed) << "the first never fetched its input";
  EXPECT_TRUE(waited) << "the second did not wait for the claim";
  auto ra = a.get(), rb = b.get();
  ASSERT_TRUE(ra.ok()) << ra.error().message();
  ASSERT_TRUE(rb.ok()) << rb.error().message();
  EXPECT_EQ(*rb, *ra);
  EXPECT_EQ(first->graph_runs(), 1u);
  EXPECT_EQ(second->graph_runs(), 0u);
  EXPECT_EQ(inputs_.fetches(), 1);
}

TEST_F(ProcessorTest, ARedeliveredJobTakesOverItsOwnClaimAtOnce) {
  ManualClock clock;  // never advanced: the dead worker's claim stays alive
  ObservedInflight markers(clock);
  const Job job = job_for(kInput);
  // The first delivery's worker claimed the key under the job id, then died.
  ASSERT_TRUE(markers.try_claim_wait(job.key, job.id, 10min)->claimed);
  auto location = processor(nullptr, &markers)->process(job, Stop{});  // the redelivery: same id
  ASSERT_TRUE(location.ok()) << location.error().message();
  EXPECT_EQ(inputs_.fetches(), 1);
  EXPECT_EQ(indexed(job.key), *location);
  EXPECT_TRUE(markers.try_claim_wait(job.key, "another job", 1s)->claimed) << "the claim was not released";
}

TEST_F(ProcessorTest, AnAbandonedClaimIsTakenOverAfterItsTtl) {
  ManualClock clock;
  ObservedInflight markers(clock);
  const Job job = job_for(kInput);
  ASSERT_TRUE(markers.try_claim_wait(job.key, "a worker that died", 10s)->claimed);
  auto p = processor(nullptr, &markers);
  auto r = std::async(std::launch::async, [&] { return p->process(job, Stop{}); });
  ASSERT_TRUE(markers.watched(1));
  EXPECT_EQ(inputs_.fetches(), 0) << "ran while another worker's claim was alive";
  clock.advance(10s);
  auto location = r.get();
  ASSERT_TRUE(location.ok()) << location.error().message();
  EXPECT_EQ(p->graph_runs(), 1u);
  EXPECT_EQ(indexed(job.key), *location);
}

// The job metrics (jobs/job_metrics.h) of what process() did: a run with
// every phase, a cached answer with its queue wait only, a chained input
// inside its job's fetch phase, a failure under its kind.
TEST_F(ProcessorTest, EachJobIsCountedByGraphAndOutcomeWithThePhasesItEntered) {
  auto p = processor();
  Job job = job_for(kInput);
  job.submitted_us = now_epoch_us();
  ASSERT_TRUE(p->process(job, Stop{}).ok());
  ASSERT_TRUE(p->process(job, Stop{}).ok());  // stored now: answered without running
  ASSERT_TRUE(p->process(job_for(chained(kInput), "desaturate"), Stop{}).ok());
  Stop cancelled;
  cancelled.token.cancel();
  ASSERT_FALSE(p->process(job_for(kInput, "crop"), cancelled).ok());
  std::string text;
  p->metrics().render(text);
  const auto parsed = test::parse_exposition(text);
  ASSERT_EQ(parsed.error, "") << text;
  const auto& e = parsed.exposition;
  auto jobs = [&](const char* graph, const char* outcome) {
    return e.sum("imgflo_jobs_total", {{"graph", graph}, {"outcome", outcome}}).value_or(0);
  };
  auto phases = [&](const char* graph, const char* phase) {
    return e.sum("imgflo_job_phase_seconds_count", {{"graph", graph}, {"phase", phase}}).value_or(0);
  };
  EXPECT_EQ(jobs("passthrough", "ok"), 1);
  EXPECT_EQ(jobs("passthrough", "cached"), 1);
  EXPECT_EQ(jobs("desaturate", "ok"), 1);
  EXPECT_EQ(jobs("crop", "cancelled"), 1);
  EXPECT_EQ(e.sum("imgflo_jobs_total"), 4.0) << "the chained input is not a job of its own";
  EXPECT_EQ(phases("passthrough", "queue_wait"), 2) << "only the jobs that said when they were submitted";
  EXPECT_EQ(phases("passthrough", "fetch"), 1);
  EXPECT_EQ(phases("crop", "fetch"), 1) << "the cancelled job stopped in its fetch";
  EXPECT_EQ(phases("crop", "process"), 0);
  EXPECT_EQ(phases("passthrough", "process"), 1);
  EXPECT_EQ(phases("passthrough", "store"), 1);
  EXPECT_EQ(phases("desaturate", "process"), 1);
}

TEST_F(ProcessorTest, AJobOfAGraphOutsideTheCatalogueCountsAsOther) {
  auto p = processor();
  Job job = job_for(kInput);
  job.graph = "../../etc/passwd";
  EXPECT_FALSE(p->process(job, Stop{}).ok());
  std::string text;
  p->metrics().render(text);
  EXPECT_EQ(text.find("passwd"), std::string::npos);
  EXPECT_EQ(test::parse_exposition(text).exposition.sum("imgflo_jobs_total", {{"graph", "other"}}), 1.0);
}

}  // namespace
}  // namespace imgflo::jobs
