// What only the in-process job system does: its queue order, the background
// lane's bound, dropping queued jobs, stopping running ones at their
// deadline. The JobSystem contract (coalescing, withdraw, limits, errors,
// stats) runs against it in job_system_contract_test.cc.
#include "jobs/local_job_system.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

namespace imgflo::jobs {
namespace {

using namespace std::chrono_literals;

Job job(const std::string& key, Urgency u = Urgency::kUrgent) {
  Job j;
  j.id = new_job_id();
  j.key = key;
  j.urgency = u;
  return j;
}

// Work that blocks until released (or stopped), recording the order jobs started in.
class Gate {
 public:
  Result<std::string> work(const Job& j, const Stop& stop) {
    {
      std::lock_guard lock(mu_);
      order_.push_back(j.key);
    }
    started_cv_.notify_all();
    std::unique_lock lock(mu_);
    while (!open_ && !stop.requested()) cv_.wait_for(lock, 10ms);  // polls the stop like real work
    if (auto e = stop.check()) return *e;
    return "/cache/" + j.key;
  }
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void wait_started(size_t n) {
    std::unique_lock lock(mu_);
    started_cv_.wait_for(lock, 5s, [&] { return order_.size() >= n; });
  }
  std::vector<std::string> order() {
    std::lock_guard lock(mu_);
    return order_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_, started_cv_;
  bool open_ = false;
  std::vector<std::string> order_;
};

// Polls `pred` for up to 5 s (the system under test runs on its own threads).
template <typename Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 500; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

TEST(LocalJobSystem, UrgentRunsBeforeQueuedBackground) {
  Gate gate;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return gate.work(j, s); }, {1, 8, {}});
  js.start();
  ASSERT_TRUE(js.submit(job("first"), [](Result<std::string>) {}).ok());
  gate.wait_started(1);
  ASSERT_TRUE(js.submit(job("bg1", Urgency::kBackground), nullptr).ok());
  ASSERT_TRUE(js.submit(job("bg2", Urgency::kBackground), nullptr).ok());
  ASSERT_TRUE(js.submit(job("urgent"), [](Result<std::string>) {}).ok());
  gate.open();
  ASSERT_TRUE(eventually([&] { return js.stats().succeeded == 4; }));
  auto order = gate.order();
  ASSERT_GE(order.size(), 2u);
  EXPECT_EQ(order[1], "urgent");
}

TEST(LocalJobSystem, BackgroundNeverTakesTheLastWorker) {
  Gate gate;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return gate.work(j, s); }, {2, 16, {}});
  js.start();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(js.submit(job("bg" + std::to_string(i), Urgency::kBackground), nullptr).ok());
  gate.wait_started(1);
  EXPECT_EQ(js.stats().running, 1u);
  // The proof that one of two workers stayed free: the urgent job starts while every background job is held.
  auto p = std::make_shared<std::promise<void>>();
  ASSERT_TRUE(js.submit(job("urgent"), [p](Result<std::string>) { p->set_value(); }).ok());
  gate.wait_started(2);
  EXPECT_EQ(gate.order()[1], "urgent");
  gate.open();
}

TEST(LocalJobSystem, WithdrawingTheLastWaiterCancels) {
  Gate gate;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return gate.work(j, s); }, {1, 8, {}});
  js.start();
  std::atomic<bool> called{false};
  auto running = js.submit(job("running"), [&](Result<std::string>) { called = true; });
  gate.wait_started(1);
  auto queued = js.submit(job("queued"), [&](Result<std::string>) { called = true; });
  js.withdraw(*queued);   // dropped from the queue without running
  js.withdraw(*running);  // the running job is stopped through its token
  js.stop();
  EXPECT_FALSE(called);
  EXPECT_EQ(gate.order(), (std::vector<std::string>{"running"}));
  EXPECT_EQ(js.stats().cancelled, 2u);
}

TEST(LocalJobSystem, WaitIdleWaitsForEveryAcceptedJobABackgroundOneToo) {
  Gate gate;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return gate.work(j, s); }, {1, 8, {}});
  js.start();
  ASSERT_TRUE(js.submit(job("get"), [](Result<std::string>) {}).ok());
  ASSERT_TRUE(js.submit(job("post", Urgency::kBackground), nullptr).ok());
  gate.wait_started(1);
  EXPECT_FALSE(js.wait_idle(Clock::now() + 20ms)) << "the deadline passed while a job was held";
  gate.open();
  EXPECT_TRUE(js.wait_idle(Clock::now() + 5s));
  EXPECT_EQ(js.stats().queued + js.stats().running, 0u);
  js.stop();
  EXPECT_EQ(js.stats().succeeded, 2u) << "nothing was cancelled by the stop";
  EXPECT_EQ(gate.order(), (std::vector<std::string>{"get", "post"}));
}

TEST(LocalJobSystem, DeadlineStopsTheWork) {
  Gate gate;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return gate.work(j, s); }, {1, 8, {}});
  js.start();
  Job j = job("slow");
  j.deadline_ms = now_epoch_ms() + 100;
  auto p = std::make_shared<std::promise<Result<std::string>>>();
  auto f = p->get_future();
  ASSERT_TRUE(js.submit(j, [p](Result<std::string> r) { p->set_value(std::move(r)); }).ok());
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);  // the real deadline is what is tested
  auto r = f.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTimeout);
}

// ping() (for /ready): ok between start() and stop().
TEST(LocalJobSystem, PingWhileRunning) {
  LocalJobSystem jobs([](const Job& j, const Stop&) -> Result<std::string> { return "/cache/" + j.key; }, {});
  const auto unavailable = [&] {
    Status st = jobs.ping(10ms);
    return !st.ok() && st.error().kind() == ErrorKind::kUnavailable;
  };
  EXPECT_TRUE(unavailable()) << "not started";
  jobs.start();
  EXPECT_TRUE(jobs.ping(10ms).ok());
  jobs.stop();
  EXPECT_TRUE(unavailable()) << "stopped";
}

TEST(Job, JsonRoundTrip) {
  Job j = job("b5774b2bd2c5c94535432dec55a205a712bc5326.png", Urgency::kBackground);  // messages carry cache keys
  j.graph = "crop";
  j.out_type = "png";
  j.params = {{"x", "1"}, {"x", "2"}};
  j.input = "files/a.jpg";
  j.depth = 2;
  j.deadline_ms = 123;
  auto back = job_from_json(to_json(j));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(to_json(*back), to_json(j));
  EXPECT_FALSE(job_from_json(nlohmann::json{{"id", 1}}).ok());
}

}  // namespace
}  // namespace imgflo::jobs
