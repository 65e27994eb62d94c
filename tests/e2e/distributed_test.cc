// The distributed mode end to end: frontends and imgflo-worker processes on
// a real RabbitMQ: work through several frontends, coalescing, urgent
// requests beside a background flood, throughput with one and two workers.
#include "e2e/distributed_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <thread>

namespace imgflo::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string crop(int x) {
  return "/graph/crop?height=40&width=40&x=" + std::to_string(x) + "&y=10&input=files%2Fgridbear.jpg";
}

// Sequential GETs; returns each one's seconds (and checks each is a 301).
std::vector<double> timed_gets(const ServerProcess& s, const std::vector<std::string>& paths) {
  std::vector<double> seconds;
  for (const auto& p : paths) {
    const HttpResult r = http_get(s.url(p));
    EXPECT_EQ(r.status, 301) << p << ": " << r.body;
    seconds.push_back(r.seconds);
  }
  return seconds;
}

double max_of(const std::vector<double>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }

TEST_F(Distributed, TwoFrontendsAndTwoWorkersServeEachOthersResults) {
  ServerProcess& w1 = worker("w1", "both", 2);
  ServerProcess& w2 = worker("w2", "both", 2);
  ServerProcess& a = frontend("a");
  ServerProcess& b = frontend("b");
  for (int i = 0; i < 6; ++i) {
    ServerProcess& via = i % 2 ? a : b;
    ServerProcess& other = i % 2 ? b : a;
    const HttpResult r = http_get(via.url(crop(i)));
    ASSERT_EQ(r.status, 301) << r.body;
    // The other frontend serves the stored file (shared folder).
    const HttpResult file = http_get(other.url(location_path(r.header("location"))));
    EXPECT_EQ(file.status, 200);
    EXPECT_EQ(file.header("content-type"), "image/jpeg");
    EXPECT_GT(file.body.size(), 100u);
  }
  EXPECT_EQ(metric(a, "imgflo_jobs_succeeded_total"), 3u);
  EXPECT_EQ(metric(b, "imgflo_jobs_succeeded_total"), 3u);
  // Results fan out to every frontend (each on its own result queue, so a moment apart): each one
  // learns the other's results and answers those requests from its index, without a job.
  HttpOptions head;
  head.method = "HEAD";  // answers from the index only, never processes
  for (int i = 0; i < 6; ++i) {
    const ServerProcess& other = i % 2 ? b : a;
    int status = 0;
    for (int tries = 0; tries < 100 && status != 301; ++tries) {
      if (tries > 0) std::this_thread::sleep_for(20ms);
      status = http(other.url(crop(i)), head).status;
    }
    EXPECT_EQ(status, 301) << i;
    EXPECT_EQ(http_get(other.url(crop(i))).status, 301);
  }
  EXPECT_EQ(metric(a, "imgflo_jobs_submitted_total"), 3u);
  EXPECT_EQ(metric(b, "imgflo_jobs_submitted_total"), 3u);
  // The broker hands jobs out round-robin: both workers took part.
  EXPECT_GT(jobs_started(w1), 0);
  EXPECT_GT(jobs_started(w2), 0);
  EXPECT_EQ(jobs_started(w1) + jobs_started(w2), 6);
}

TEST_F(Distributed, AFrontendWithInternalWorkersNeedsNoOtherProcess) {
  auto e = env(url_);
  e["IMGFLO_WORKER"] = "internal";
  const std::vector<std::string> args = {"--workers", "2"};
  procs_.push_back(std::make_unique<ServerProcess>(prefix_ + "internal", e, args));
  const ServerProcess& s = *procs_.back();
  const HttpResult r = http_get(s.url(crop(7)));
  ASSERT_EQ(r.status, 301) << r.body;
  EXPECT_EQ(http_get(s.url(location_path(r.header("location")))).status, 200);
  HttpOptions post;
  post.method = "POST";
  const HttpResult posted = http(s.url(crop(8)), post);
  ASSERT_EQ(posted.status, 202) << posted.body;
  HttpResult stored;
  for (int i = 0; i < 100 && stored.status != 200; ++i) {
    std::this_thread::sleep_for(50ms);
    stored = http_get(s.url(location_path(posted.header("location"))));
  }
  EXPECT_EQ(stored.status, 200);
  // Errors made by the worker come back with their kind and details.
  const HttpResult bad = http_get(s.url("/graph/crop?input=files%2Fnothere.jpg"));
  EXPECT_EQ(bad.status, 504) << bad.body;
  EXPECT_EQ(bad.json()["type"], "download-failed");
  EXPECT_NE(s.log().find("in-process broker workers"), std::string::npos);
}

TEST_F(Distributed, IdenticalRequestsToOneFrontendRunOneJob) {
  TestOrigin origin("127.0.0.1");
  origin.on("/slow.jpg", slow_jpeg(1500ms));
  ServerProcess& w = worker("w", "both", 2);
  ServerProcess& a = frontend("a");
  const std::string path = "/graph/passthrough?" + input_param(origin.url("/slow.jpg"));
  std::vector<std::future<HttpResult>> clients;
  for (int i = 0; i < 5; ++i) clients.push_back(std::async(std::launch::async, [&] { return http_get(a.url(path)); }));
  const std::set<std::string> locations = all_redirects(clients);
  EXPECT_EQ(locations.size(), 1u);
  EXPECT_EQ(origin.hits("/slow.jpg"), 1);
  // A client delayed past the job's end (a loaded machine) finds the result stored instead.
  EXPECT_EQ(metric(a, "imgflo_jobs_coalesced_total") + metric(a, "imgflo_cache_hits_total"), 4u);
  EXPECT_EQ(jobs_started(w), 1);
}

TEST_F(Distributed, ABackgroundFloodDoesNotSlowUrgentRequests) {
  TestOrigin origin("127.0.0.1");
  origin.on("/slow.jpg", slow_jpeg(400ms));
  worker("urgent", "urgent", 1);
  worker("background", "background", 1);
  ServerProcess& a = frontend("a");
  std::vector<std::string> before, during;
  for (int i = 0; i < 5; ++i) before.push_back(crop(i));
  for (int i = 0; i < 5; ++i) during.push_back(crop(100 + i));
  const std::vector<double> baseline = timed_gets(a, before);

  constexpr int kFlood = 40;  // 40 x 0.4 s of input delay: 16 s of work for the background worker
  const auto flood_start = Clock::now();
  for (int i = 0; i < kFlood; ++i) {
    const std::string path = "/graph/passthrough?" + input_param(origin.url("/slow.jpg?n=" + std::to_string(i)));
    HttpOptions post;
    post.method = "POST";
    const HttpResult r = http(a.url(path), post);
    ASSERT_EQ(r.status, 202) << r.body;
  }
  const double flood_seconds = elapsed_s(flood_start);
  const std::vector<double> urgent = timed_gets(a, during);
  const int background_done = origin.hits("/slow.jpg");

  std::printf("[ measure  ] %d POSTs accepted in %.3f s; urgent GET latency (s): before flood max %.3f, "
              "during flood max %.3f (background inputs fetched meanwhile: %d of %d)\n",
              kFlood, flood_seconds, max_of(baseline), max_of(urgent), background_done, kFlood);
  EXPECT_LT(background_done, kFlood / 2);  // the flood was still being worked on
  EXPECT_LT(max_of(urgent), std::max(1.5, 3 * max_of(baseline)));
  EXPECT_LT(flood_seconds, 5.0);  // POSTs are answered without waiting for processing
}

// Concurrent distinct jobs through one frontend; returns seconds until all are answered.
// n distinct gaussian-blur GETs at once (cache keys from `first` on); every one must end in 301.
void burst(const ServerProcess& s, int first, int n) {
  std::vector<std::future<HttpResult>> clients;
  for (int i = 0; i < n; ++i) {
    const std::string path = "/graph/gaussianblur?std-dev-x=" + std::to_string(4 + first + i) +
                             "&std-dev-y=6&input=files%2Fgrid-toastybob.jpg";
    clients.push_back(std::async(std::launch::async, [&s, path] { return http_get(s.url(path)); }));
  }
  for (auto& c : clients) {
    const HttpResult r = c.get();
    EXPECT_EQ(r.status, 301) << r.body;
  }
}

// Scale-out: a worker started later takes a share of the same queue. (Throughput with
// 1 vs 2 workers is measured by bench/distributed.sh, not here.)
TEST_F(Distributed, ASecondWorkerTakesAShareOfTheUrgentQueue) {
  constexpr int kJobs = 24;
  ServerProcess& w1 = worker("w1", "urgent", 1);
  ServerProcess& a = frontend("a", {"--request-timeout", "60"});
  burst(a, 0, kJobs);
  ServerProcess& w2 = worker("w2", "urgent", 1);
  const int w1_before = jobs_started(w1);
  burst(a, 100, kJobs);
  EXPECT_EQ(w1_before, kJobs);
  EXPECT_GT(jobs_started(w2), 0);
  EXPECT_EQ(jobs_started(w1) - w1_before + jobs_started(w2), kJobs);
}

}  // namespace
}  // namespace imgflo::test
