// Failures in the distributed mode, end to end: a worker killed with
// SIGKILL mid-job, and a RabbitMQ restart mid-run. Every client is answered;
// nothing hangs; the service recovers by itself.
#include "e2e/distributed_util.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <thread>

namespace imgflo::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_F(Distributed, AWorkerKilledMidJobLosesNothing) {
  TestOrigin origin("127.0.0.1");
  origin.on("/slow.jpg", slow_jpeg(2000ms));
  ServerProcess* w1 = &worker("w1", "urgent", 1, {"--prefetch", "1"});
  ServerProcess* w2 = &worker("w2", "urgent", 1, {"--prefetch", "1"});
  ServerProcess& a = frontend("a", {"--request-timeout", "20"});
  const std::string path = "/graph/passthrough?" + input_param(origin.url("/slow.jpg"));
  auto client = std::async(std::launch::async, [&] { return http_get(a.url(path)); });
  for (int i = 0; i < 200 && origin.hits("/slow.jpg") == 0 && origin.requests().empty(); ++i) {
    std::this_thread::sleep_for(25ms);
  }
  ASSERT_FALSE(origin.requests().empty()) << "no worker fetched the input";
  ServerProcess* busy = jobs_started(*w1) > 0 ? w1 : w2;
  ServerProcess* idle = busy == w1 ? w2 : w1;
  ASSERT_EQ(jobs_started(*busy), 1);
  std::this_thread::sleep_for(500ms);  // well into the job
  const auto killed_at = Clock::now();
  busy->kill();  // SIGKILL: no ack, no goodbye
  const HttpResult r = client.get();
  const double after_kill = elapsed_s(killed_at);
  std::printf("[ measure  ] killed worker's job answered %.2f s after the kill (total %.2f s; input delay 2 s)\n",
              after_kill, r.seconds);
  EXPECT_EQ(r.status, 301) << r.body;
  EXPECT_LT(r.seconds, 20.0);
  EXPECT_EQ(jobs_started(*idle), 1);
  EXPECT_NE(idle->log().find("delivery 2"), std::string::npos) << idle->log();  // x-delivery-count seen
  EXPECT_EQ(origin.requests().size(), 2u);
  EXPECT_EQ(http_get(a.url(location_path(r.header("location")))).status, 200);
}

// A private broker for this test (it gets restarted), from scripts/services/rabbitmq.sh.
class PrivateBroker {
 public:
  explicit PrivateBroker(const std::filesystem::path& dir) : dir_(dir) {
    run("start");
    std::ifstream env(dir_ / "services.env");
    for (std::string line; std::getline(env, line);) {
      if (line.rfind("IMGFLO_TEST_BROKER_URL=", 0) == 0) url_ = line.substr(line.find('=') + 1);
    }
  }
  ~PrivateBroker() { run("stop"); }
  void restart() { run("restart"); }
  const std::string& url() const { return url_; }

 private:
  void run(const std::string& command) {
    const std::string line = (source_dir() / "scripts/services/rabbitmq.sh").string() + " " + command + " " +
                             dir_.string() + " >> " + (dir_ / "script.log").string() + " 2>&1";
    ok_ = std::system(line.c_str()) == 0;
    EXPECT_TRUE(ok_) << line << "\n" << read_file(dir_ / "script.log");
  }
  std::filesystem::path dir_;
  std::string url_;
  bool ok_ = false;
};

TEST_F(Distributed, ABrokerRestartIsSurvived) {
  PrivateBroker rabbit(scratch_dir("rabbit-" + prefix_));
  ASSERT_FALSE(rabbit.url().empty());
  TestOrigin origin("127.0.0.1");
  origin.on("/slow.jpg", slow_jpeg(3000ms));
  worker_on(rabbit.url(), "w", "both", 2, {});
  ServerProcess& a = frontend_on(rabbit.url(), "a", {"--request-timeout", "20"});
  auto crop = [](int x) {
    return "/graph/crop?height=30&width=30&x=" + std::to_string(x) + "&y=5&input=files%2Fgridbear.jpg";
  };
  ASSERT_EQ(http_get(a.url(crop(0))).status, 301);

  // A job in progress when the broker goes away.
  auto in_flight = std::async(std::launch::async, [&] {
    return http_get(a.url("/graph/passthrough?" + input_param(origin.url("/slow.jpg"))));
  });
  for (int i = 0; i < 200 && origin.requests().empty(); ++i) std::this_thread::sleep_for(25ms);

  const auto restart_at = Clock::now();
  auto restarted = std::async(std::launch::async, [&] { rabbit.restart(); });
  std::map<int, int> during;  // status -> count, while the broker restarts
  double slowest = 0;
  int prompt_refusals = 0;
  int x = 1;
  while (restarted.wait_for(300ms) != std::future_status::ready) {
    const HttpResult r = http_get(a.url(crop(x++)));
    ++during[r.status];
    slowest = std::max(slowest, r.seconds);
    if (r.status == 503 && r.seconds < 0.5) ++prompt_refusals;
  }
  const double restart_seconds = elapsed_s(restart_at);
  // Recovery: the frontend and the worker reconnect by themselves.
  const auto back_at = Clock::now();
  HttpResult after;
  for (int i = 0; i < 120 && after.status != 301; ++i) {
    after = http_get(a.url(crop(1000 + i)));
    if (after.status != 301) std::this_thread::sleep_for(250ms);
  }
  const double recovery = elapsed_s(back_at);
  const HttpResult flight = in_flight.get();

  std::string summary;
  for (const auto& [status, n] : during) summary += " " + std::to_string(status) + "x" + std::to_string(n);
  std::printf("[ measure  ] broker restart took %.1f s; requests meanwhile:%s (slowest %.2f s); first 301 %.2f s "
              "after the broker was back; the job in flight got %d after %.2f s\n",
              restart_seconds, summary.c_str(), slowest, recovery, flight.status, flight.seconds);
  for (const auto& [status, n] : during) EXPECT_TRUE(status == 301 || status == 503) << status;
  EXPECT_GT(prompt_refusals, 0);  // while the broker is down, new jobs are refused at once
  // A job published just before the connection dropped waits at most the outage grace (5 s), then 503.
  EXPECT_LT(slowest, 8.0);
  EXPECT_EQ(after.status, 301) << after.body;
  EXPECT_LT(recovery, 15.0);
  EXPECT_TRUE(flight.status == 301 || flight.status == 503 || flight.status == 504) << flight.status;
  EXPECT_LT(flight.seconds, 25.0);
  procs_.clear();  // before the private broker stops
}

}  // namespace
}  // namespace imgflo::test
