// The JobSystem contract (jobs/job_system.h), one suite run against both
// implementations: "local" (LocalJobSystem, two worker threads) and "amqp"
// (an AmqpJobSystem frontend with an urgent and a background AmqpWorker on
// the test RabbitMQ, see support/broker_test.h; FAILS without it).
//
// Both variants have the same shape: background work has one lane, urgent
// work has more. What only one implementation does stays in
// local_job_system_test.cc and amqp_job_system_test.cc.
#include "core/digest.h"
#include "jobs/amqp_job_system.h"
#include "jobs/amqp_worker.h"
#include "jobs/local_job_system.h"
#include "support/broker_test.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace imgflo::test {
namespace {

using namespace std::chrono_literals;
using jobs::Job;
using jobs::Urgency;

// The work behind every variant, by the job's name: "held-*" waits until
// release() (or its stop), "fail-*" fails with a detailed error, anything
// else succeeds at once. Runs are counted per name.
class Work {
 public:
  // A valid cache key named after `name` (broker workers refuse others), and its location.
  static std::string key_of(const std::string& name) { return sha1_hex(name) + ".jpg"; }
  static std::string location_of(const std::string& name) { return "/cache/" + key_of(name); }

  jobs::WorkFunction function() {
    return [this](const Job& j, const Stop& stop) -> Result<std::string> {
      std::unique_lock lock(mu_);
      const std::string name = names_.contains(j.key) ? names_[j.key] : j.key;
      ++runs_[name];
      cv_.notify_all();
      if (name.starts_with("fail-")) {
        return Error(ErrorKind::kUnknownParameter, "Unknown parameter: foo", {{"parameter", "foo"}});
      }
      while (name.starts_with("held-") && !released_ && !stop.requested()) cv_.wait_for(lock, 10ms);
      if (auto e = stop.check()) return *e;
      return "/cache/" + j.key;
    };
  }
  // A job for `name`, due in 30 s (registered so that the work knows its name).
  Job job(const std::string& name, Urgency urgency = Urgency::kUrgent) {
    Job j{.id = jobs::new_job_id(), .key = key_of(name), .graph = "passthrough", .out_type = "jpg", .params = {},
          .input = std::nullopt, .nocache = false, .urgency = urgency, .depth = 0,
          .deadline_ms = jobs::now_epoch_ms() + 30'000};
    std::lock_guard lock(mu_);
    names_[j.key] = name;
    return j;
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  bool wait_runs(const std::string& name, int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return runs_[name] >= n; });
  }
  int runs(const std::string& name) {
    std::lock_guard lock(mu_);
    return runs_[name];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::map<std::string, std::string> names_;  // key -> name
  std::map<std::string, int> runs_;           // name -> runs
};

// One submission's callback: how often it was called, and the last result.
class Answer {
 public:
  jobs::JobCallback callback() {
    return [self = state_](Result<std::string> r) {
      std::lock_guard lock(self->mu);
      ++self->calls;
      self->result.emplace(std::move(r));
      self->cv.notify_all();
    };
  }
  // The result, or nullopt if none came within 10 s.
  std::optional<Result<std::string>> wait() {
    std::unique_lock lock(state_->mu);
    state_->cv.wait_for(lock, 10s, [&] { return state_->result.has_value(); });
    return state_->result;
  }
  int calls() const {
    std::lock_guard lock(state_->mu);
    return state_->calls;
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    int calls = 0;
    std::optional<Result<std::string>> result;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();  // outlives the test if a call comes late
};

// Polls `pred` for up to 10 s (the system under test answers on its own threads).
template <typename Pred>
bool eventually(Pred pred) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class JobSystemContract : public BrokerTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "amqp") BrokerTest::SetUp();
  }
  void TearDown() override {
    work_.release();
    stop();
    if (GetParam() == "amqp") BrokerTest::TearDown();
  }

  // Starts the system under test; `queue_limit` as in its options.
  jobs::JobSystem& start(size_t queue_limit = 8) {
    if (GetParam() == "local") {
      local_ = std::make_unique<jobs::LocalJobSystem>(work_.function(), jobs::LocalJobOptions{2, queue_limit, {}});
      local_->start();
      return *local_;
    }
    urgent_worker_ = start_worker(/*urgent=*/true, /*threads=*/2);
    background_worker_ = start_worker(/*urgent=*/false, /*threads=*/1);
    jobs::AmqpJobOptions o;
    o.amqp = options("frontend");
    o.topology = topology_;
    o.queue_limit = queue_limit;
    frontend_ = std::make_unique<jobs::AmqpJobSystem>(std::move(o));
    frontend_->start();
    EXPECT_TRUE(frontend_->wait_connected(10s));
    return *frontend_;
  }

  // Stops the system under test: no callback can come after this.
  void stop() {
    local_.reset();
    frontend_.reset();
    urgent_worker_.reset();
    background_worker_.reset();
  }

  Work work_;

 private:
  std::unique_ptr<jobs::AmqpWorker> start_worker(bool urgent, int threads) {
    jobs::AmqpWorkerOptions o;
    o.amqp = options(urgent ? "urgent worker" : "background worker");
    o.topology = topology_;
    o.urgent = urgent;
    o.background = !urgent;
    o.threads = threads;
    o.prefetch = static_cast<uint16_t>(threads);
    auto w = std::make_unique<jobs::AmqpWorker>(work_.function(), std::move(o));
    w->start();
    EXPECT_TRUE(w->wait_connected(10s));
    return w;
  }

  std::unique_ptr<jobs::LocalJobSystem> local_;
  std::unique_ptr<jobs::AmqpWorker> urgent_worker_, background_worker_;
  std::unique_ptr<jobs::AmqpJobSystem> frontend_;
};

TEST_P(JobSystemContract, EverySubmissionIsAnsweredExactlyOnce) {
  jobs::JobSystem& js = start();
  std::vector<Answer> answers(3);
  for (size_t i = 0; i < answers.size(); ++i) {
    ASSERT_TRUE(js.submit(work_.job("once" + std::to_string(i)), answers[i].callback()).ok());
  }
  for (size_t i = 0; i < answers.size(); ++i) {
    auto r = answers[i].wait();
    ASSERT_TRUE(r.has_value()) << "no answer within 10 s";
    ASSERT_TRUE(r->ok()) << r->error().message();
    EXPECT_EQ(**r, Work::location_of("once" + std::to_string(i)));
  }
  const jobs::JobStats s = js.stats();
  EXPECT_EQ(s.submitted, 3u);
  EXPECT_EQ(s.succeeded, 3u);
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(s.queued, 0u);
  stop();
  for (const auto& a : answers) EXPECT_EQ(a.calls(), 1);
}

TEST_P(JobSystemContract, IdenticalKeysRunOnceAndEveryWaiterIsAnswered) {
  jobs::JobSystem& js = start();
  std::vector<Answer> answers(3);
  for (auto& a : answers) ASSERT_TRUE(js.submit(work_.job("held-same"), a.callback()).ok());
  ASSERT_TRUE(work_.wait_runs("held-same", 1));
  work_.release();
  for (auto& a : answers) {
    auto r = a.wait();
    ASSERT_TRUE(r.has_value() && r->ok());
    EXPECT_EQ(**r, Work::location_of("held-same"));
  }
  EXPECT_EQ(work_.runs("held-same"), 1);
  const jobs::JobStats s = js.stats();
  EXPECT_EQ(s.submitted, 3u);
  EXPECT_EQ(s.coalesced, 2u);
  EXPECT_EQ(s.succeeded, 1u);
}

TEST_P(JobSystemContract, AWithdrawnWaiterIsNeverCalledAndItsJobIsCancelled) {
  jobs::JobSystem& js = start();
  Answer gone;
  auto ticket = js.submit(work_.job("held-gone"), gone.callback());
  ASSERT_TRUE(ticket.ok());
  ASSERT_TRUE(work_.wait_runs("held-gone", 1));
  js.withdraw(*ticket);
  js.withdraw(*ticket);  // twice, or after the answer: nothing happens
  EXPECT_EQ(js.stats().cancelled, 1u);
  EXPECT_EQ(js.stats().queued, 0u);
  work_.release();
  // A later waiter for the same key is answered once the first job is over,
  // whichever job answers it; by then the withdrawn callback would have run.
  Answer later;
  ASSERT_TRUE(js.submit(work_.job("held-gone"), later.callback()).ok());
  ASSERT_TRUE(later.wait().has_value());
  EXPECT_EQ(gone.calls(), 0);
  EXPECT_EQ(js.stats().cancelled, 1u);
}

TEST_P(JobSystemContract, BackgroundInterestKeepsAWithdrawnJob) {
  jobs::JobSystem& js = start();
  ASSERT_TRUE(js.submit(work_.job("held-kept", Urgency::kBackground), nullptr).ok());
  Answer waiter;
  auto ticket = js.submit(work_.job("held-kept"), waiter.callback());
  ASSERT_TRUE(ticket.ok());
  js.withdraw(*ticket);
  EXPECT_EQ(js.stats().cancelled, 0u);
  work_.release();
  EXPECT_TRUE(eventually([&] { return js.stats().succeeded == 1; }));
  EXPECT_EQ(js.stats().cancelled, 0u);
  EXPECT_EQ(js.stats().coalesced, 1u);
  EXPECT_EQ(waiter.calls(), 0);
}

TEST_P(JobSystemContract, AFullQueueAnswersOverloaded) {
  constexpr size_t kLimit = 2;
  jobs::JobSystem& js = start(kLimit);
  // Running jobs may or may not count against the limit; waiting ones do.
  size_t accepted = 0;
  std::optional<Error> refused;
  for (size_t i = 0; i < kLimit + 3 && !refused; ++i) {
    auto t = js.submit(work_.job("held-q" + std::to_string(i)), [](Result<std::string>) {});
    if (t.ok()) ++accepted;
    else refused = t.error();
  }
  ASSERT_TRUE(refused.has_value()) << accepted << " jobs accepted";
  EXPECT_GE(accepted, kLimit);
  EXPECT_EQ(refused->kind(), ErrorKind::kOverloaded);
  EXPECT_EQ(refused->status(), 503);
  EXPECT_EQ(refused->details()["retry_after"], 1);
  EXPECT_TRUE(js.submit(work_.job("held-q0"), [](Result<std::string>) {}).ok());  // joining still works when full
  const jobs::JobStats s = js.stats();
  EXPECT_EQ(s.rejected, 1u);
  EXPECT_EQ(s.submitted, accepted + 1);
  EXPECT_EQ(s.coalesced, 1u);
}

// Both implementations promote: the background lane is held, and an urgent
// waiter for a background job still queued behind it is answered anyway.
TEST_P(JobSystemContract, AnUrgentWaiterPromotesAQueuedBackgroundJob) {
  jobs::JobSystem& js = start();
  ASSERT_TRUE(js.submit(work_.job("held-lane", Urgency::kBackground), nullptr).ok());
  ASSERT_TRUE(work_.wait_runs("held-lane", 1));
  ASSERT_TRUE(js.submit(work_.job("promoted", Urgency::kBackground), nullptr).ok());
  Answer urgent;
  ASSERT_TRUE(js.submit(work_.job("promoted"), urgent.callback()).ok());
  auto r = urgent.wait();
  ASSERT_TRUE(r.has_value()) << "the urgent waiter waited behind the background lane";
  ASSERT_TRUE(r->ok()) << r->error().message();
  EXPECT_EQ(**r, Work::location_of("promoted"));
  EXPECT_EQ(js.stats().coalesced, 1u);
}

TEST_P(JobSystemContract, ErrorsTravelWithKindMessageAndDetails) {
  jobs::JobSystem& js = start();
  Answer a;
  ASSERT_TRUE(js.submit(work_.job("fail-bad"), a.callback()).ok());
  auto r = a.wait();
  ASSERT_TRUE(r.has_value());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error().kind(), ErrorKind::kUnknownParameter);
  EXPECT_EQ(r->error().message(), "Unknown parameter: foo");
  EXPECT_EQ(r->error().details()["parameter"], "foo");
  EXPECT_EQ(js.stats().failed, 1u);
  EXPECT_EQ(js.stats().succeeded, 0u);
}

INSTANTIATE_TEST_SUITE_P(Implementations, JobSystemContract, ::testing::Values("local", "amqp"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace imgflo::test
