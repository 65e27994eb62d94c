// Shared by the broker tests: they run against a real RabbitMQ (started by
// scripts/services/rabbitmq.sh; its URL in IMGFLO_TEST_BROKER_URL or
// build/test-services/services.env) and FAIL when it is absent.
//
// Every test uses names with a prefix unique to the process and test, so
// parallel runs never share a queue, and deletes what it declared.
#pragma once

#include "broker/amqp_connection.h"
#include "jobs/amqp_topology.h"
#include "support/service_env.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include <unistd.h>

namespace imgflo::test {

class BrokerTest : public testing::Test {
 protected:
  void SetUp() override {
    const auto url = test_service("IMGFLO_TEST_BROKER_URL");
    if (!url) {
      GTEST_FAIL() << "IMGFLO_TEST_BROKER_URL is not set and not in build/test-services/services.env; start the "
                      "test broker with: scripts/services/rabbitmq.sh start build/test-services";
    }
    auto parsed = broker::parse_broker_url(*url);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    url_ = *url;
    broker_ = *parsed;
    static std::atomic<int> counter{0};
    prefix_ = "t" + std::to_string(::getpid()) + "x" + std::to_string(counter++) + "_";
    topology_.prefix = prefix_;
  }

  void TearDown() override {
    if (prefix_.empty()) return;
    broker::AmqpConnection c(options("cleanup"));
    if (!c.ensure_connected().ok()) return;
    for (jobs::WorkerQueue u : jobs::kWorkerQueues) {
      queues_.push_back(topology_.job_queue(u));
      queues_.push_back(topology_.dead_letter(u));
      exchanges_.insert(exchanges_.end(), {topology_.job_queue(u), topology_.dead_letter(u),
                                           topology_.api_outport(u), topology_.result_exchange(u)});
    }
    // Deleting what does not exist is fine for RabbitMQ; a failure closes the connection, so reconnect.
    for (const auto& q : queues_) {
      if (c.ensure_connected().ok()) (void)c.delete_queue(q);
    }
    for (const auto& e : exchanges_) {
      if (c.ensure_connected().ok()) (void)c.delete_exchange(e);
    }
  }

  broker::AmqpOptions options(const std::string& name) const {
    broker::AmqpOptions o;
    o.url = broker_;
    o.name = "test " + name;
    o.connect_timeout = std::chrono::milliseconds(2'000);
    o.rpc_timeout = std::chrono::milliseconds(5'000);
    o.backoff_initial = std::chrono::milliseconds(10);
    o.backoff_max = std::chrono::milliseconds(200);
    return o;
  }

  // A name unique to this test (deleted afterwards when declared through declare_queue).
  std::string name(const std::string& what) const { return prefix_ + what; }

  // Declares a durable quorum queue (optionally dead-lettering to `dead_letter_exchange`).
  Status declare_queue(broker::AmqpConnection& c, const std::string& queue, int64_t delivery_limit = 0,
                       const std::string& dead_letter_exchange = "") {
    queues_.push_back(queue);
    broker::QueueSpec q;
    q.name = queue;
    q.arguments.push_back({"x-queue-type", std::string("quorum")});
    if (delivery_limit > 0) q.arguments.push_back({"x-delivery-limit", delivery_limit});
    if (!dead_letter_exchange.empty()) q.arguments.push_back({"x-dead-letter-exchange", dead_letter_exchange});
    return c.declare_queue(q);
  }

  std::string url_;
  broker::BrokerUrl broker_;
  std::string prefix_;
  jobs::Topology topology_;
  std::vector<std::string> queues_, exchanges_;
};

// Polls until a delivery arrives (or `timeout`); nullopt on timeout or error.
inline std::optional<broker::Delivery> next_delivery(broker::AmqpConnection& c,
                                                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    auto e = c.poll(std::chrono::milliseconds(50));
    if (!e.ok()) return std::nullopt;
    if (*e && std::holds_alternative<broker::Delivery>(**e)) return std::get<broker::Delivery>(std::move(**e));
  }
  return std::nullopt;
}

}  // namespace imgflo::test
