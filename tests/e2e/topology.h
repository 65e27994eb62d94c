// Where an end-to-end suite sends its requests: the embedded default (one
// imgflo-server), or — with IMGFLO_E2E_TOPOLOGY=distributed — two frontends
// and two imgflo-worker processes on the test RabbitMQ with the Redis cache
// index, sharing one results folder. Requests alternate between the
// frontends; metrics are summed over them. The same suite runs unchanged on
// both (ctest registers the contract suite twice).
#pragma once

#include "e2e/e2e_util.h"
#include "support/paths.h"
#include "support/service_env.h"

#include <atomic>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <unistd.h>
#include <vector>

namespace imgflo::test {

class Topology {
 public:
  explicit Topology(const std::string& name) {
    const char* kind = std::getenv("IMGFLO_E2E_TOPOLOGY");
    if (!kind || std::string(kind) != "distributed") {
      frontends_.push_back(std::make_unique<ServerProcess>(name));
      return;
    }
    const std::string prefix = "c" + std::to_string(::getpid()) + "_";
    const std::string shared = (scratch_dir("topology-" + name) / "work").string();
    std::map<std::string, std::string> env = {{"IMGFLO_BROKER_URL", need("IMGFLO_TEST_BROKER_URL")},
                                              {"IMGFLO_BROKER_PREFIX", prefix},
                                              {"IMGFLO_CACHE", "redis-local"},
                                              {"IMGFLO_REDIS_URL", need("IMGFLO_TEST_REDIS_URL")},
                                              {"IMGFLO_REDIS_PREFIX", prefix + "/"}};
    for (int i = 0; i < 2; ++i) {
      workers_.push_back(std::make_unique<ServerProcess>(name + "-w" + std::to_string(i), env,
                                                         std::vector<std::string>{"--workdir", shared, "--role", "all",
                                                                                  "--workers", "2"},
                                                         "imgflo-worker", "worker ready"));
    }
    env["IMGFLO_WORKER"] = "external";
    for (int i = 0; i < 2; ++i) {
      // No public URL: both answer the same relative Locations (never built from the Host header).
      frontends_.push_back(std::make_unique<ServerProcess>(name + "-f" + std::to_string(i), env,
                                                           std::vector<std::string>{"--workdir", shared}));
    }
  }

  // Alternates between the frontends.
  std::string url(const std::string& path) const { return frontends_[next_++ % frontends_.size()]->url(path); }
  // A Location as a client resolves it (relative ones against a frontend).
  std::string resolve(const std::string& location) const { return test::resolve(*frontends_.front(), location); }
  uint64_t metric(const std::string& name) const {
    uint64_t sum = 0;
    for (const auto& f : frontends_) sum += test::metric(*f, name);
    return sum;
  }
  bool distributed() const { return !workers_.empty(); }

 private:
  static std::string need(const std::string& service) {
    auto v = test_service(service);
    if (!v) throw std::runtime_error(missing_service_message(service));
    return *v;
  }
  std::vector<std::unique_ptr<ServerProcess>> workers_;  // started first, stopped last
  std::vector<std::unique_ptr<ServerProcess>> frontends_;
  mutable std::atomic<size_t> next_{0};
};

}  // namespace imgflo::test
