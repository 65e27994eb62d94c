// Memory-aware admission over real HTTP (IMGFLO_MEMORY_LIMIT, jobs/memory_budget.h):
// with a limit that holds one small job's estimate but not two, an input too big to
// fit even alone is a 422 with a JSON message (before decoding), and concurrent
// small jobs wait for each other and all succeed; imgflo-worker applies the same
// rule behind a broker. The limit is derived from the estimates the service itself
// computes for the test's inputs (runtime/memory_estimate.h), so recalibrating the
// model does not break the test. Inputs are made with the vips CLI.
#include "app/runtimes.h"
#include "e2e/e2e_util.h"
#include "runtime/catalogue.h"
#include "support/input_corpus.h"
#include "support/paths.h"
#include "support/service_env.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace imgflo::test {
namespace {

constexpr int kSmallJobs = 4;
// c2g with few samples: long enough (about a second of CPU) to overlap the next requests, short enough for CI.
const std::string kSmallQuery = "&grainsize=20&samples=1";
// Slow machines (sanitizers, loaded CI) may take a while for four of them in a row.
const HttpOptions kPatient = [] {
  HttpOptions o;
  o.timeout = std::chrono::seconds(300);
  return o;
}();

class MemoryAdmission : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(scratch_dir("memory-admission"));
    // Big: 7000 x 7000 (49 MP, under the 50 MP pixel limit). Small: distinct files, distinct keys.
    corpus::run_tool({"vips", "black", (*dir_ / "big.jpg").string(), "7000", "7000", "--bands", "3"});
    for (int i = 0; i < kSmallJobs; ++i) {
      corpus::run_tool({"vips", "gaussnoise", (*dir_ / ("small-" + std::to_string(i) + ".jpg")).string(), "1600", "1200"});
    }
    big_estimate_ = estimate("gaussianblur", "big.jpg");
    small_estimate_ = estimate("desaturate", "small-0.jpg");
  }
  static void TearDownTestSuite() { delete dir_; }

  // What the service charges GRAPH.jpg?input=files/FILE (computed like the server does).
  static uint64_t estimate(const std::string& graph, const std::string& file) {
    static const auto catalogue = runtime::Catalogue::load(graph_dir(), app::builtin_runtimes());
    EXPECT_TRUE(catalogue.ok());
    std::ifstream in(*dir_ / file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const std::string input = bytes.str();
    runtime::RunRequest req;
    req.out_type = "jpg";
    req.input = input;
    auto e = (*catalogue)->find(graph).value()->executable->estimate_memory(req);
    EXPECT_TRUE(e.ok());
    return e.ok() ? *e : 0;
  }

  // One small job fits, two do not; the big one never does.
  static std::string limit() { return std::to_string(small_estimate_ * 3 / 2); }
  static std::vector<std::string> args() { return {"--resources", dir_->string(), "--memory-limit", limit()}; }

  static std::filesystem::path* dir_;
  static uint64_t big_estimate_, small_estimate_;
};
std::filesystem::path* MemoryAdmission::dir_ = nullptr;
uint64_t MemoryAdmission::big_estimate_ = 0;
uint64_t MemoryAdmission::small_estimate_ = 0;

void expect_refused_as_too_large(const HttpResult& r) {
  ASSERT_EQ(r.status, 422) << r.body;
  const auto body = r.json();
  EXPECT_EQ(body["code"], 422);
  EXPECT_EQ(body["type"], "too-large");
  EXPECT_NE(body["error"].get<std::string>().find("memory limit"), std::string::npos) << r.body;
}

TEST_F(MemoryAdmission, AnInputThatCannotFitEvenAloneIs422BeforeDecoding) {
  ASSERT_GT(big_estimate_, small_estimate_ * 3 / 2);
  ServerProcess server("memory-admission-422", {}, args());
  EXPECT_EQ(metric(server, "imgflo_memory_limit_bytes"), std::stoull(limit()));
  const HttpResult r = http_get(server.url("/graph/gaussianblur.jpg?input=files/big.jpg"));
  expect_refused_as_too_large(r);
  EXPECT_LT(r.seconds, 2.0);  // a 49 MP blur takes many seconds: nothing was decoded
  EXPECT_EQ(metric(server, "imgflo_memory_refused_total"), 1u);
  EXPECT_EQ(metric(server, "imgflo_memory_estimate_bytes"), 0u);
}

TEST_F(MemoryAdmission, ConcurrentJobsWaitForMemoryAndAllSucceed) {
  ServerProcess server("memory-admission-wait", {}, [] {
    auto a = args();
    a.insert(a.end(), {"--workers", "4", "--request-timeout", "300"});
    return a;
  }());
  auto get = [&](int i) {
    return std::async(std::launch::async, [&server, i] {
      return http(server.url("/graph/desaturate.jpg?input=files/small-" + std::to_string(i) + ".jpg" + kSmallQuery),
                  kPatient);
    });
  };
  std::vector<std::future<HttpResult>> results;
  results.push_back(get(0));
  // The first job holds the budget (c2g takes seconds); the others arrive while it runs.
  while (metric(server, "imgflo_memory_admitted_jobs") != 1) ASSERT_EQ(results[0].wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  EXPECT_EQ(metric(server, "imgflo_memory_estimate_bytes"), small_estimate_);
  for (int i = 1; i < kSmallJobs; ++i) results.push_back(get(i));
  EXPECT_EQ(all_redirects(results).size(), static_cast<size_t>(kSmallJobs));
  EXPECT_GE(metric(server, "imgflo_memory_admission_waits_total"), static_cast<uint64_t>(kSmallJobs - 1));
  EXPECT_EQ(metric(server, "imgflo_memory_refused_total"), 0u);
  EXPECT_EQ(metric(server, "imgflo_memory_estimate_bytes"), 0u);
  EXPECT_EQ(metric(server, "imgflo_jobs_succeeded_total"), static_cast<uint64_t>(kSmallJobs));
}

TEST_F(MemoryAdmission, ImgfloWorkerAppliesTheSameRule) {
  auto broker = test_service("IMGFLO_TEST_BROKER_URL");
  ASSERT_TRUE(broker) << missing_service_message("IMGFLO_TEST_BROKER_URL");
  const std::string prefix = "m" + std::to_string(::getpid()) + "_";
  const std::string shared = (scratch_dir("memory-admission-broker") / "work").string();
  std::map<std::string, std::string> env = {{"IMGFLO_BROKER_URL", *broker}, {"IMGFLO_BROKER_PREFIX", prefix}};
  auto worker_args = args();
  worker_args.insert(worker_args.end(), {"--workdir", shared, "--workers", "2"});
  ServerProcess worker("memory-admission-worker", env, worker_args, "imgflo-worker", "worker ready");
  env["IMGFLO_WORKER"] = "external";
  // The frontend has no limit of its own that would matter: it only publishes.
  ServerProcess frontend("memory-admission-frontend", env,
                         {"--workdir", shared, "--resources", dir_->string(), "--request-timeout", "300"});
  expect_refused_as_too_large(http_get(frontend.url("/graph/gaussianblur.jpg?input=files/big.jpg")));
  const HttpResult ok = http(frontend.url("/graph/desaturate.jpg?input=files/small-1.jpg" + kSmallQuery), kPatient);
  EXPECT_EQ(ok.status, 301) << ok.body;
}

}  // namespace
}  // namespace imgflo::test
