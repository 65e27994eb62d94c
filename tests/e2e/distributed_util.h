// The distributed topology for end-to-end tests: real imgflo-server frontends
// (IMGFLO_WORKER=external) and imgflo-worker processes on the test RabbitMQ,
// sharing one results folder (each frontend serves /cache/ from it) and
// using in-memory cache indexes. Names carry a per-test prefix
// (IMGFLO_BROKER_PREFIX); processes stop before the queues are deleted.
#pragma once

#include "e2e/e2e_util.h"
#include "support/broker_test.h"
#include "support/paths.h"
#include "support/test_origin.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace imgflo::test {

class Distributed : public BrokerTest {
 protected:
  void SetUp() override {
    BrokerTest::SetUp();
    if (HasFatalFailure()) return;
    shared_ = scratch_dir("dist-" + prefix_) / "work";
  }
  void TearDown() override {
    procs_.clear();  // frontends and workers first: they would declare the queues again
    BrokerTest::TearDown();
  }

  std::map<std::string, std::string> env(const std::string& broker_url) const {
    return {{"IMGFLO_BROKER_URL", broker_url},
            {"IMGFLO_BROKER_PREFIX", prefix_},
            {"IMGFLO_ALLOW_PRIVATE", "127.0.0.1/32"}};  // inputs from TestOrigin
  }
  ServerProcess& frontend(const std::string& name, std::vector<std::string> args = {}) {
    return frontend_on(url_, name, std::move(args));
  }
  ServerProcess& frontend_on(const std::string& broker_url, const std::string& name, std::vector<std::string> args) {
    auto e = env(broker_url);
    e["IMGFLO_WORKER"] = "external";
    args.insert(args.begin(), {"--workdir", shared_.string()});
    procs_.push_back(std::make_unique<ServerProcess>(prefix_ + name, e, args));
    return *procs_.back();
  }
  ServerProcess& worker(const std::string& name, const std::string& role, int threads = 1,
                        std::vector<std::string> args = {}) {
    return worker_on(url_, name, role, threads, std::move(args));
  }
  ServerProcess& worker_on(const std::string& broker_url, const std::string& name, const std::string& role,
                           int threads, std::vector<std::string> args) {
    args.insert(args.begin(), {"--workdir", shared_.string(), "--role", role, "--workers", std::to_string(threads)});
    procs_.push_back(
        std::make_unique<ServerProcess>(prefix_ + name, env(broker_url), args, "imgflo-worker", "worker ready"));
    return *procs_.back();
  }

  std::filesystem::path shared_;
  std::vector<std::unique_ptr<ServerProcess>> procs_;
};

// Jobs a worker started, from its log.
inline int jobs_started(const ServerProcess& worker) {
  const std::string log = worker.log();
  int n = 0;
  for (size_t at = log.find("processing job"); at != std::string::npos; at = log.find("processing job", at + 1)) ++n;
  return n;
}

inline OriginResponse slow_jpeg(std::chrono::milliseconds delay) {
  OriginResponse r = OriginResponse::ok(read_file(example("gridbear.jpg")), "image/jpeg");
  r.delay = delay;
  return r;
}

inline double elapsed_s(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace imgflo::test
