// Graceful stop end to end (http/drain.h, http/server.h): SIGTERM while
// requests are being processed answers every one of them and exits 0, the
// port refusing new connections from the moment the listener closes; the
// drain timeout bounds the stop; a second signal ends the process at once;
// imgflo-worker finishes its running job; and in the distributed mode one of
// two frontends restarted under a stream of requests (a rolling deploy) fails
// none of them.
#include "e2e/distributed_util.h"
#include "support/proc_stats.h"
#include "support/raw_http.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <thread>

namespace imgflo::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// An imgflo-server or imgflo-worker whose exit status the test reads (ServerProcess reaps without it).
struct Started {
  std::unique_ptr<ChildProcess> process;
  int port = 0;  // 0 for a worker
};

// Starts build/`program` listening on 127.0.0.1 (`port`, 0 = a free one) with results in `workdir`;
// waits for its ready line.
Started start(const std::string& program, const std::string& name, std::map<std::string, std::string> env,
              std::vector<std::string> args, const fs::path& workdir, int port = 0) {
  const fs::path dir = scratch_dir("drain-" + name);
  args.insert(args.begin(), {"--port", std::to_string(port), "--address", "127.0.0.1", "--workdir", workdir.string()});
  Started s;
  s.process = std::make_unique<ChildProcess>(binary_dir() / program, args, std::move(env), dir / "log");
  const bool server = program == "imgflo-server";
  const auto ready = s.process->wait_log(server ? "listening on port ([0-9]+)" : "worker ready", 30s);
  if (!ready) throw std::runtime_error(program + " did not start: " + s.process->log());
  s.port = server ? std::stoi(*ready) : 0;
  return s;
}

void send_signal(const Started& s, int sig) { ASSERT_EQ(::kill(s.process->pid(), sig), 0); }

// Waits (polling, bounded) until `done()`; false if `limit` passed first.
template <typename Done>
bool wait_until(Done done, std::chrono::milliseconds limit = 10s) {
  const auto until = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A counter from a server's /metrics (UINT64_MAX when absent).
uint64_t metric_of(int port, const std::string& name) {
  const HttpResult r = http_get("http://127.0.0.1:" + std::to_string(port) + "/metrics");
  std::smatch m;
  if (!std::regex_search(r.body, m, std::regex("(^|\n)" + name + " ([0-9]+)"))) return UINT64_MAX;
  return std::stoull(m[2]);
}

bool refused(const RawResponse& r) { return r.error == std::string("connect: ") + std::strerror(ECONNREFUSED); }

// A GET of a processing request (crop) whose input comes from `origin` at `input_path`.
std::string crop_of(const TestOrigin& origin, const std::string& input_path) {
  return "/graph/crop?height=40&width=40&x=10&y=10&" + input_param(origin.url(input_path));
}

const std::map<std::string, std::string> kLoopbackInputs = {{"IMGFLO_ALLOW_PRIVATE", "127.0.0.1/32"}};

TEST(Drain, SigtermAnswersEveryRequestInFlightThenExitsZero) {
  constexpr int kRequests = 20;
  TestOrigin origin;
  origin.on("/slow.jpg", slow_jpeg(2500ms));  // every job is still fetching when the signal comes
  const fs::path work = scratch_dir("drain-inflight-work");
  const Started server = start("imgflo-server", "inflight", kLoopbackInputs, {"--workers", "20"}, work);
  std::vector<std::future<HttpResult>> answers;
  for (int i = 0; i < kRequests; ++i) {
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port) +
                            crop_of(origin, "/slow.jpg?n=" + std::to_string(i));
    answers.push_back(std::async(std::launch::async, [url] { return http_get(url); }));
  }
  ASSERT_TRUE(wait_until([&] { return origin.requests().size() == kRequests; })) << server.process->log();

  const auto signalled = Clock::now();
  send_signal(server, SIGTERM);
  ASSERT_TRUE(server.process->wait_log("listener closed", 5s)) << server.process->log();
  const double closed_after = elapsed_s(signalled);
  const RawResponse late = raw_request(server.port, request_bytes("GET", "/version", server.port), 2s);
  EXPECT_TRUE(refused(late)) << "a connection after the signal: " << late.error << " status " << late.status;
  EXPECT_NE(server.process->log().find("answering 20 open connections"), std::string::npos) << server.process->log();

  std::vector<std::string> keys;
  for (auto& f : answers) {
    const HttpResult r = f.get();
    EXPECT_EQ(r.status, 301) << r.error << r.body;
    EXPECT_EQ(r.header("connection"), "close");
    const std::string path = location_path(r.header("location"));
    keys.push_back(path.substr(path.rfind('/') + 1));
  }
  const auto status = server.process->wait_exit(10s);
  ASSERT_TRUE(status.has_value()) << server.process->log();
  EXPECT_FALSE(status->signalled) << status->describe();
  EXPECT_EQ(status->code, 0) << server.process->log();
  for (const auto& key : keys) EXPECT_TRUE(fs::is_regular_file(work / "cache" / key)) << key << " answered, not stored";
  std::printf("[ measure  ] %d requests in flight at SIGTERM: %d answered 301; listener closed %.3f s after the "
              "signal, exit 0 after %.2f s\n",
              kRequests, kRequests, closed_after, elapsed_s(signalled));
}

TEST(Drain, TheDrainTimeoutBoundsTheStop) {
  TestOrigin origin;
  origin.on("/stuck.jpg", slow_jpeg(60s));  // the origin's destructor cuts the delay short
  auto env = kLoopbackInputs;
  env["IMGFLO_DRAIN_TIMEOUT"] = "1";
  const Started server = start("imgflo-server", "timeout", env, {}, scratch_dir("drain-timeout-work"));
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port) + crop_of(origin, "/stuck.jpg");
  auto answer = std::async(std::launch::async, [url] { return http_get(url); });
  ASSERT_TRUE(wait_until([&] { return origin.requests().size() == 1; })) << server.process->log();

  const auto signalled = Clock::now();
  send_signal(server, SIGTERM);
  const auto status = server.process->wait_exit(8s);
  const double stopped_after = elapsed_s(signalled);
  ASSERT_TRUE(status.has_value()) << server.process->log();
  EXPECT_FALSE(status->signalled) << status->describe();
  EXPECT_EQ(status->code, 0);
  EXPECT_LT(stopped_after, 3.0) << "IMGFLO_DRAIN_TIMEOUT=1";
  EXPECT_NE(server.process->log().find("drain timeout after"), std::string::npos) << server.process->log();
  EXPECT_EQ(answer.get().status, 0) << "the unfinished request is dropped";
  std::printf("[ measure  ] IMGFLO_DRAIN_TIMEOUT=1, a job of 60 s: exit 0 after %.2f s\n", stopped_after);
}

TEST(Drain, ASecondSignalExitsAtOnce) {
  TestOrigin origin;
  origin.on("/stuck.jpg", slow_jpeg(60s));
  const Started server = start("imgflo-server", "second", kLoopbackInputs, {}, scratch_dir("drain-second-work"));
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port) + crop_of(origin, "/stuck.jpg");
  auto answer = std::async(std::launch::async, [url] { return http_get(url); });
  ASSERT_TRUE(wait_until([&] { return origin.requests().size() == 1; })) << server.process->log();
  send_signal(server, SIGTERM);
  ASSERT_TRUE(server.process->wait_log("answering 1 open connections", 5s)) << server.process->log();
  const auto second = Clock::now();
  send_signal(server, SIGTERM);
  const auto status = server.process->wait_exit(5s);
  ASSERT_TRUE(status.has_value()) << server.process->log();
  EXPECT_FALSE(status->signalled) << status->describe();
  EXPECT_EQ(status->code, 128 + SIGTERM);
  EXPECT_LT(elapsed_s(second), 1.0);
  EXPECT_EQ(answer.get().status, 0);
  std::printf("[ measure  ] second SIGTERM during a drain: exit %d after %.3f s\n", status->code, elapsed_s(second));
}

// The distributed mode on the test RabbitMQ; processes stop before the queues are deleted.
class DrainDistributed : public BrokerTest {
 protected:
  void SetUp() override {
    BrokerTest::SetUp();
    if (HasFatalFailure()) return;
    shared_ = scratch_dir("drain-dist-" + prefix_) / "work";
  }
  void TearDown() override {
    for (auto* p : {&a_, &b_, &worker_}) {
      if (p->process) p->process->stop(10s);
    }
    BrokerTest::TearDown();
  }
  std::map<std::string, std::string> env() const {
    auto e = kLoopbackInputs;
    e["IMGFLO_BROKER_URL"] = url_;
    e["IMGFLO_BROKER_PREFIX"] = prefix_;
    e["IMGFLO_WORKER"] = "external";
    return e;
  }
  Started frontend(const std::string& name, int port = 0) {
    return start("imgflo-server", prefix_ + name, env(), {}, shared_, port);
  }
  Started worker(int threads, std::map<std::string, std::string> extra = {}) {
    auto e = env();
    e.insert(extra.begin(), extra.end());
    return start("imgflo-worker", prefix_ + "worker", e, {"--role", "both", "--workers", std::to_string(threads)},
                 shared_);
  }

  fs::path shared_;
  Started a_, b_, worker_;
};

// Two jobs run in the worker (two threads; the broker gives it two at a time) and a third waits in
// the queue. On SIGTERM both running jobs are finished and answered; the waiting one is left to
// the next worker: it is not taken when the shorter job's slot frees (a delivery handed back while
// still consuming comes straight back, and RabbitMQ dead-letters a job handed back too often).
TEST_F(DrainDistributed, AWorkerFinishesItsRunningJobsAndLeavesTheRestToTheNext) {
  TestOrigin origin;
  origin.on("/slow.jpg", slow_jpeg(800ms));
  origin.on("/slower.jpg", slow_jpeg(2000ms));
  worker_ = worker(2, {{"IMGFLO_DRAIN_TIMEOUT", "5"}});
  a_ = frontend("a");
  HttpOptions bounded;
  bounded.timeout = 8s;
  auto get = [&](const std::string& input) {
    const std::string url = "http://127.0.0.1:" + std::to_string(a_.port) + crop_of(origin, input);
    return std::async(std::launch::async, [url, bounded] { return http(url, bounded); });
  };
  auto shorter = get("/slow.jpg?n=1");
  auto longer = get("/slower.jpg");
  ASSERT_TRUE(wait_until([&] { return origin.requests().size() == 2; })) << worker_.process->log();
  auto waiting = get("/slow.jpg?n=2");
  ASSERT_TRUE(wait_until([&] { return metric_of(a_.port, "imgflo_jobs_submitted_total") == 3; }));
  send_signal(worker_, SIGTERM);
  EXPECT_TRUE(worker_.process->wait_log("draining \\(up to 5 s", 5s)) << worker_.process->log();
  for (auto* running : {&shorter, &longer}) {
    const HttpResult r = running->get();
    EXPECT_EQ(r.status, 301) << r.error << r.body;
  }
  const auto status = worker_.process->wait_exit(8s);
  ASSERT_TRUE(status.has_value()) << worker_.process->log();
  EXPECT_FALSE(status->signalled) << status->describe();
  EXPECT_EQ(status->code, 0) << worker_.process->log();
  EXPECT_EQ(origin.requests().size(), 2u) << "the stopping worker started the waiting job";

  worker_ = worker(1);  // the next worker finds the waiting job in the queue
  const HttpResult third = waiting.get();
  EXPECT_EQ(third.status, 301) << third.error << third.body << "\n" << worker_.process->log();
}

// Clients alternate between two frontends, each request on a new connection; a
// refused connect is retried on the other frontend (a load balancer's rule);
// an accepted request never is. Frontend A is stopped with SIGTERM while
// requests are in flight on it and started again on its port.
TEST_F(DrainDistributed, RollingRestartOfAFrontendFailsNoRequest) {
  constexpr int kClients = 6;
  TestOrigin origin;
  origin.on("/img.jpg", slow_jpeg(300ms));  // each request takes a while: some are always in flight
  worker_ = worker(8);
  a_ = frontend("a");
  b_ = frontend("b");
  const int ports[2] = {a_.port, b_.port};  // A keeps its port across the restart

  std::atomic<bool> done{false};
  std::atomic<int> next{0}, answered{0}, retried{0};
  std::mutex mu;
  std::vector<std::string> failures;  // guarded by mu
  auto client = [&](int id) {
    for (int turn = id; !done; ++turn) {
      const std::string target = crop_of(origin, "/img.jpg?n=" + std::to_string(next++));
      int side = turn % 2;
      RawResponse r = raw_request(ports[side], request_bytes("GET", target, ports[side]), 10s);
      for (int attempt = 0; attempt < 20 && refused(r); ++attempt) {  // both down: never expected
        ++retried;
        side = 1 - side;
        r = raw_request(ports[side], request_bytes("GET", target, ports[side]), 10s);
      }
      if (r.complete && r.status == 301) {
        ++answered;
        continue;
      }
      std::lock_guard lock(mu);
      failures.push_back(target + " on " + (side == 0 ? "A" : "B") + ": status " + std::to_string(r.status) + " " +
                         r.error);
    }
  };
  struct Clients {  // joined however the test ends
    std::atomic<bool>& done;
    std::vector<std::thread> threads;
    ~Clients() {
      done = true;
      for (auto& t : threads) t.join();
    }
  } clients{done, {}};
  for (int i = 0; i < kClients; ++i) clients.threads.emplace_back(client, i);

  ASSERT_TRUE(wait_until([&] { return answered >= 2 * kClients; })) << "answered " << answered;
  send_signal(a_, SIGTERM);
  const auto old_status = a_.process->wait_exit(10s);
  const std::string old_log = a_.process->log();
  ASSERT_TRUE(old_status.has_value()) << old_log;
  const int before_restart = answered;
  a_ = frontend("a2", ports[0]);
  ASSERT_TRUE(wait_until([&] { return answered >= before_restart + 2 * kClients; })) << "answered " << answered;
  done = true;
  for (auto& t : clients.threads) t.join();
  clients.threads.clear();

  EXPECT_EQ(failures, std::vector<std::string>{});
  EXPECT_FALSE(old_status->signalled) << old_status->describe();
  EXPECT_EQ(old_status->code, 0) << old_log;
  EXPECT_GT(retried.load(), 0) << "no client met the restart";
  std::smatch m;
  ASSERT_TRUE(std::regex_search(old_log, m, std::regex("answering ([0-9]+) open connections"))) << old_log;
  EXPECT_GE(std::stoi(m[1]), 1) << "no request was in flight on A at the signal";
  std::printf("[ measure  ] rolling restart of 1 of 2 frontends under %d clients: %d requests answered 301, "
              "0 failed, %d refused connects retried on the other frontend, %s requests in flight on A drained\n",
              kClients, answered.load(), retried.load(), m[1].str().c_str());
}

}  // namespace
}  // namespace imgflo::test
