// http::Readiness with checks the tests control: names, results and latency
// in the report and its JSON, the cached report, one round shared by
// concurrent requests, a hung check reported as a timeout and never started
// twice, instant checks evaluated at every report, a throwing check.
// (The parts' real pings against Redis, RabbitMQ, S3 and a folder are in
// readiness_services_test.cc; /ready over HTTP in tests/e2e/edge_test.cc.)
#include "http/readiness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace imgflo::http {
namespace readiness_test {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kWait{5000};  // bound of every wait for another thread

// Reports delivered to callbacks, in order.
class Reports {
 public:
  Readiness::Callback callback() {
    return [this](const ReadinessReport& r) {
      std::lock_guard lock(mu_);
      reports_.push_back(r);
      cv_.notify_all();
    };
  }
  // The `n`th report (1-based) once it came; a failure and an empty report when it did not within kWait.
  ReadinessReport wait(size_t n = 1) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, kWait, [&] { return reports_.size() >= n; })) {
      ADD_FAILURE() << "report " << n << " did not come";
      return {};
    }
    return reports_[n - 1];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ReadinessReport> reports_;
};

// A check that counts its probes and, while closed, holds them until opened.
class Gate {
 public:
  ReadinessCheck check(const std::string& name, Status result = ok_status()) {
    return {name, [this, result](std::chrono::milliseconds) {
              std::unique_lock lock(mu_);
              ++started_;
              cv_.notify_all();
              cv_.wait(lock, [&] { return open_; });
              ++returned_;
              cv_.notify_all();
              return result;
            }};
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  int started() {
    std::lock_guard lock(mu_);
    return started_;
  }
  bool wait_started(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return started_ >= n; });
  }
  bool wait_returned(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return returned_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  int started_ = 0, returned_ = 0;
};

// Opens a gate when the test ends, however it ends (a Readiness waits for its probes when destroyed).
struct OpenAtExit {
  Gate& gate;
  ~OpenAtExit() { gate.open(); }
};

const CheckOutcome* find(const ReadinessReport& r, const std::string& name) {
  for (const auto& c : r.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST(Readiness, NamesEveryCheckWithItsResultAndLatency) {
  Gate gate;
  ManualClock clock;
  const Error down(ErrorKind::kUnavailable, "broker at 10.0.0.7 down");
  Readiness readiness({gate.check("storage"), gate.check("jobs", down)}, {}, clock);
  Reports reports;
  readiness.report(reports.callback());
  const ReadinessReport r = reports.wait();
  EXPECT_FALSE(r.ready);
  ASSERT_EQ(r.checks.size(), 2u);
  EXPECT_TRUE(find(r, "storage")->ok);
  EXPECT_FALSE(find(r, "jobs")->ok);
  EXPECT_EQ(find(r, "jobs")->error, "unavailable");
  EXPECT_GE(find(r, "storage")->ms, 0);
  EXPECT_LT(find(r, "storage")->ms, kWait.count());

  const HttpResponse answer = readiness_response(r);
  EXPECT_EQ(answer.status, 503);
  const auto json = nlohmann::json::parse(answer.body);
  EXPECT_EQ(json["status"], "not ready");
  EXPECT_EQ(json["checks"]["jobs"]["ok"], false);
  EXPECT_EQ(json["checks"]["jobs"]["error"], "unavailable");
  EXPECT_TRUE(json["checks"]["storage"]["ms"].is_number());
  EXPECT_FALSE(json["checks"]["storage"].contains("error"));
  EXPECT_EQ(answer.body.find("10.0.0.7"), std::string::npos) << "details stay in the log";
  EXPECT_NE(std::find(answer.headers.begin(), answer.headers.end(),
                      std::pair<std::string, std::string>("Cache-Control", "no-store")),
            answer.headers.end());
}

TEST(Readiness, AllChecksOkIs200Ready) {
  Gate gate;
  ManualClock clock;
  Readiness readiness({gate.check("a"), gate.check("b")}, {}, clock);
  Reports reports;
  readiness.report(reports.callback());
  const HttpResponse answer = readiness_response(reports.wait());
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(nlohmann::json::parse(answer.body)["status"], "ready");
}

TEST(Readiness, TheReportIsReusedForCacheFor) {
  Gate gate;
  ManualClock clock;
  Readiness readiness({gate.check("redis")}, {500ms, 1000ms}, clock);
  Reports reports;
  readiness.report(reports.callback());
  reports.wait(1);
  clock.advance(999ms);
  readiness.report(reports.callback());
  reports.wait(2);
  EXPECT_EQ(gate.started(), 1) << "a report younger than cache_for is answered without probing";
  clock.advance(1ms);
  readiness.report(reports.callback());
  reports.wait(3);
  EXPECT_EQ(gate.started(), 2);
}

TEST(Readiness, ConcurrentRequestsShareOneRound) {
  Gate gate;
  gate.close();
  ManualClock clock;
  Readiness readiness({gate.check("s3")}, {5000ms, 1000ms}, clock);
  OpenAtExit opener{gate};
  Reports reports;
  readiness.report(reports.callback());
  ASSERT_TRUE(gate.wait_started(1));
  for (int i = 0; i < 4; ++i) readiness.report(reports.callback());
  gate.open();
  for (size_t n = 1; n <= 5; ++n) EXPECT_TRUE(reports.wait(n).ready);
  EXPECT_EQ(gate.started(), 1);
}

TEST(Readiness, AHungCheckIsATimeoutAndIsNeverStartedTwice) {
  Gate hung, quick;
  hung.close();
  ManualClock clock;
  Readiness readiness({hung.check("broker"), quick.check("storage")}, {30ms, 1000ms}, clock);
  OpenAtExit opener{hung};
  Reports reports;
  readiness.report(reports.callback());
  ReadinessReport r = reports.wait(1);
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(find(r, "broker")->error, "timeout");
  EXPECT_EQ(find(r, "broker")->ms, 30);
  EXPECT_TRUE(find(r, "storage")->ok);

  clock.advance(1s);
  readiness.report(reports.callback());
  r = reports.wait(2);
  EXPECT_EQ(find(r, "broker")->error, "timeout");
  EXPECT_EQ(hung.started(), 1) << "the hung probe holds its thread; no second one is started";
  EXPECT_EQ(quick.started(), 2);

  // Once it returns, the next round probes it again. (The readiness thread notes the return
  // just after the probe returns: a round may still see it busy, so ask a few rounds.)
  hung.open();
  ASSERT_TRUE(hung.wait_returned(1));
  for (size_t n = 3; n < 50 && !r.ready; ++n) {
    clock.advance(1s);
    readiness.report(reports.callback());
    r = reports.wait(n);
  }
  EXPECT_TRUE(r.ready);
  EXPECT_EQ(hung.started(), 2);
}

TEST(Readiness, InstantChecksAreEvaluatedAtEveryReport) {
  Gate gate;
  std::atomic<bool> draining{false};
  ManualClock clock;
  ReadinessCheck accepting{"accepting",
                           [&](std::chrono::milliseconds) -> Status {
                             if (draining) return Error(ErrorKind::kUnavailable, "draining");
                             return ok_status();
                           },
                           true};
  Readiness readiness({gate.check("jobs"), accepting}, {}, clock);
  Reports reports;
  readiness.report(reports.callback());
  EXPECT_TRUE(reports.wait(1).ready);
  draining = true;
  readiness.report(reports.callback());  // within cache_for: the cached report, with the flag read now
  const ReadinessReport r = reports.wait(2);
  EXPECT_FALSE(r.ready);
  EXPECT_FALSE(find(r, "accepting")->ok);
  EXPECT_TRUE(find(r, "jobs")->ok);
  EXPECT_EQ(gate.started(), 1);
}

TEST(Readiness, AThrowingCheckIsAFailureNotACrash) {
  ManualClock clock;
  Readiness readiness({{"buggy", [](std::chrono::milliseconds) -> Status { throw std::runtime_error("boom"); }}}, {},
                      clock);
  Reports reports;
  readiness.report(reports.callback());
  const ReadinessReport r = reports.wait();
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(find(r, "buggy")->error, "internal");
}

}  // namespace readiness_test
}  // namespace imgflo::http
