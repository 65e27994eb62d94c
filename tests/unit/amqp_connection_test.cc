// The rabbitmq-c wrapper against a real broker: URL parsing, round trips with
// confirms, manual ack and redelivery, prefetch, delivery limits and dead
// letters, failures and reconnection.
#include "broker/amqp_connection.h"
#include "broker/wakeup.h"
#include "support/test_origin.h"
#include "support/broker_test.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace imgflo::test {
namespace {

using namespace std::chrono_literals;
using broker::AmqpConnection;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

TEST(BrokerUrl, ParsesEveryPart) {
  auto u = broker::parse_broker_url("amqp://user%40x:p%3Ass@rabbit.example:5673/my%2fvhost");
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(u->user, "user@x");
  EXPECT_EQ(u->password, "p:ss");
  EXPECT_EQ(u->host, "rabbit.example");
  EXPECT_EQ(u->port, 5673);
  EXPECT_EQ(u->vhost, "my/vhost");
  EXPECT_EQ(u->redacted(), "amqp://user@x@rabbit.example:5673/my/vhost");
}

TEST(BrokerUrl, DefaultsAndIpv6) {
  auto plain = broker::parse_broker_url("amqp://localhost");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 5672);
  EXPECT_EQ(plain->user, "guest");
  EXPECT_EQ(plain->password, "guest");
  EXPECT_EQ(plain->vhost, "/");
  auto slash = broker::parse_broker_url("amqp://guest:guest@127.0.0.1:5673/");
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ(slash->vhost, "/");  // empty path = the default vhost
  auto v6 = broker::parse_broker_url("amqp://[::1]:5680/%2f");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 5680);
  EXPECT_EQ(v6->vhost, "/");
}

TEST(BrokerUrl, RejectsBadUrlsWithoutEchoingThePassword) {
  for (const char* bad : {"http://host/", "amqps://host/", "amqp://", "amqp://u:secret@host:0/", "amqp://h:99999/",
                          "amqp://u:secret@host:12ab/", "amqp://host/%zz", "amqp://[::1/"}) {
    auto u = broker::parse_broker_url(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_EQ(u.error().kind(), ErrorKind::kInvalidArgument);
    EXPECT_EQ(u.error().message().find("secret"), std::string::npos) << u.error().message();
  }
}

TEST_F(BrokerTest, PublishWithConfirmConsumeAndAck) {
  AmqpConnection c(options("roundtrip"));
  ASSERT_TRUE(c.ensure_connected().ok());
  const std::string q = name("roundtrip");
  ASSERT_TRUE(declare_queue(c, q).ok());
  broker::Outgoing m;
  m.body = R"({"hello":"world"})";
  m.message_id = "id-1";
  ASSERT_TRUE(c.publish_confirmed("", q, m).ok());  // the default exchange routes by queue name
  ASSERT_TRUE(c.set_prefetch(1).ok());
  auto tag = c.consume(q);
  ASSERT_TRUE(tag.ok()) << tag.error().message();
  auto d = next_delivery(c);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->body, R"({"hello":"world"})");
  EXPECT_EQ(d->message_id, "id-1");
  EXPECT_EQ(d->consumer_tag, *tag);
  EXPECT_FALSE(d->redelivered);
  EXPECT_EQ(d->delivery_count, 0);
  ASSERT_TRUE(c.ack(d->tag).ok());
  EXPECT_FALSE(next_delivery(c, 300ms).has_value());
}

TEST_F(BrokerTest, UnackedMessagesReturnWhenTheConsumerDies) {
  const std::string q = name("unacked");
  {
    AmqpConnection setup(options("setup"));
    ASSERT_TRUE(setup.ensure_connected().ok());
    ASSERT_TRUE(declare_queue(setup, q).ok());
    broker::Outgoing m;
    m.body = "job";
    ASSERT_TRUE(setup.publish_confirmed("", q, m).ok());
  }
  {
    AmqpConnection first(options("first"));
    ASSERT_TRUE(first.ensure_connected().ok());
    ASSERT_TRUE(first.consume(q).ok());
    auto d = next_delivery(first);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->delivery_count, 0);
    // Destroyed without ack: like a worker killed mid-job.
  }
  AmqpConnection second(options("second"));
  ASSERT_TRUE(second.ensure_connected().ok());
  ASSERT_TRUE(second.consume(q).ok());
  auto again = next_delivery(second);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->body, "job");
  EXPECT_TRUE(again->redelivered);
  EXPECT_EQ(again->delivery_count, 1);
  EXPECT_TRUE(second.ack(again->tag).ok());
}

TEST_F(BrokerTest, PrefetchLimitsUnackedDeliveries) {
  AmqpConnection c(options("prefetch"));
  ASSERT_TRUE(c.ensure_connected().ok());
  const std::string q = name("prefetch");
  ASSERT_TRUE(declare_queue(c, q).ok());
  for (int i = 0; i < 5; ++i) {
    broker::Outgoing m;
    const std::string body = std::to_string(i);
    m.body = body;
    ASSERT_TRUE(c.publish_confirmed("", q, m).ok());
  }
  ASSERT_TRUE(c.set_prefetch(2).ok());
  ASSERT_TRUE(c.consume(q).ok());
  std::vector<broker::Delivery> got;
  while (auto d = next_delivery(c, 500ms)) got.push_back(*d);
  ASSERT_EQ(got.size(), 2u);
  ASSERT_TRUE(c.ack(got[0].tag).ok());
  auto third = next_delivery(c);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->body, "2");
  EXPECT_FALSE(next_delivery(c, 300ms).has_value());
}

TEST_F(BrokerTest, DeliveryLimitDeadLettersPoisonMessages) {
  const std::string q = name("poison"), dead = name("poison-dead");
  AmqpConnection admin(options("admin"));
  ASSERT_TRUE(admin.ensure_connected().ok());
  exchanges_.push_back(dead);
  ASSERT_TRUE(admin.declare_exchange(dead).ok());
  ASSERT_TRUE(declare_queue(admin, dead).ok());
  ASSERT_TRUE(admin.bind_queue(dead, dead).ok());
  ASSERT_TRUE(declare_queue(admin, q, /*delivery_limit=*/2, dead).ok());
  broker::Outgoing m;
  m.body = "poison";
  ASSERT_TRUE(admin.publish_confirmed("", q, m).ok());
  // Limit 2: delivered with counts 0, 1, 2 (each consumer dies), then dead-lettered.
  for (int attempt = 0; attempt <= 2; ++attempt) {
    AmqpConnection worker(options("worker"));
    ASSERT_TRUE(worker.ensure_connected().ok());
    ASSERT_TRUE(worker.consume(q).ok());
    auto d = next_delivery(worker);
    ASSERT_TRUE(d.has_value()) << "attempt " << attempt;
    EXPECT_EQ(d->delivery_count, attempt);
  }
  AmqpConnection last(options("last"));
  ASSERT_TRUE(last.ensure_connected().ok());
  ASSERT_TRUE(last.consume(q).ok());
  EXPECT_FALSE(next_delivery(last, 500ms).has_value());
  ASSERT_TRUE(admin.consume(dead).ok());
  auto d = next_delivery(admin);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->body, "poison");
  EXPECT_TRUE(admin.ack(d->tag).ok());
}

TEST_F(BrokerTest, RejectWithoutRequeueDeadLetters) {
  const std::string q = name("reject"), dead = name("reject-dead");
  AmqpConnection c(options("reject"));
  ASSERT_TRUE(c.ensure_connected().ok());
  exchanges_.push_back(dead);
  ASSERT_TRUE(c.declare_exchange(dead).ok());
  ASSERT_TRUE(declare_queue(c, dead).ok());
  ASSERT_TRUE(c.bind_queue(dead, dead).ok());
  ASSERT_TRUE(declare_queue(c, q, 5, dead).ok());
  broker::Outgoing m;
  m.body = "not json";
  ASSERT_TRUE(c.publish_confirmed("", q, m).ok());
  ASSERT_TRUE(c.consume(q).ok());
  auto d = next_delivery(c);
  ASSERT_TRUE(d.has_value());
  ASSERT_TRUE(c.reject(d->tag, /*requeue=*/false).ok());
  ASSERT_TRUE(c.consume(dead).ok());
  auto dl = next_delivery(c);
  ASSERT_TRUE(dl.has_value());
  EXPECT_EQ(dl->body, "not json");
}

TEST_F(BrokerTest, ServerSideErrorsCloseAndReconnectRunsSetupAgain) {
  int setups = 0;
  AmqpConnection c(options("setup"), [&](AmqpConnection&) {
    ++setups;
    return ok_status();
  });
  ASSERT_TRUE(c.ensure_connected().ok());
  EXPECT_EQ(setups, 1);
  const uint64_t generation = c.generation();
  const std::string q = name("mismatch");
  ASSERT_TRUE(declare_queue(c, q, 3).ok());
  // The same queue with another delivery limit: the broker closes the channel.
  Status st = declare_queue(c, q, 4);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kUnavailable);
  EXPECT_NE(st.error().message().find("PRECONDITION_FAILED"), std::string::npos) << st.error().message();
  EXPECT_FALSE(c.connected());
  ASSERT_TRUE(c.ensure_connected().ok());  // first retry is immediate
  EXPECT_EQ(setups, 2);
  EXPECT_GT(c.generation(), generation);
}

// Idles like the I/O threads do (sleep in poll(2) on the socket, then a short library poll; their
// tick is 1 s against 30 s heartbeats, here 0.5 s against 2 s) or without any library call;
// returns whether the connection still works afterwards.
bool survives_idle(AmqpConnection& c, std::chrono::milliseconds idle, bool service_heartbeats) {
  broker::Wakeup wake;
  const auto until = Clock::now() + idle;
  while (Clock::now() < until) {
    if (!service_heartbeats) {
      std::this_thread::sleep_for(100ms);
      continue;
    }
    wake.wait(c.fd(), 500ms);
    auto e = c.poll(1ms);
    if (!e.ok()) return false;
  }
  broker::Outgoing m;
  m.body = "ping";
  return c.publish_confirmed("", "no-such-queue", m).ok() && c.connected();
}

TEST_F(BrokerTest, HeartbeatsKeepAnIdleConnectionOpen) {
  broker::AmqpOptions o = options("heartbeat");
  o.heartbeat_seconds = 2;  // the broker drops a peer silent for about two intervals
  AmqpConnection serviced(o);
  ASSERT_TRUE(serviced.ensure_connected().ok());
  EXPECT_TRUE(survives_idle(serviced, 7s, true));
  // Without library calls no heartbeats go out, and the broker closes the connection.
  AmqpConnection neglected(o);
  ASSERT_TRUE(neglected.ensure_connected().ok());
  EXPECT_FALSE(survives_idle(neglected, 7s, false));
}

TEST_F(BrokerTest, UnreachableBrokerFailsPromptlyWithBackoff) {
  broker::AmqpOptions o = options("nowhere");
  o.url.port = 1;  // nothing listens there
  o.url.password = "s3cret-pw";
  o.backoff_initial = 200ms;
  AmqpConnection c(o);
  auto start = Clock::now();
  Status st = c.ensure_connected();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kUnavailable);
  EXPECT_NE(st.error().message().find("127.0.0.1:1"), std::string::npos) << st.error().message();
  EXPECT_EQ(st.error().message().find("s3cret"), std::string::npos);
  EXPECT_LT(seconds_since(start), 0.5);
  // Within the backoff delay nothing is attempted.
  start = Clock::now();
  Status again = c.ensure_connected();
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message().find("retrying in"), std::string::npos) << again.error().message();
  EXPECT_LT(seconds_since(start), 0.01);
  EXPECT_GT(c.retry_in().count(), 0);
  EXPECT_FALSE(c.publish("x", "", broker::Outgoing{}).ok());
}

TEST_F(BrokerTest, ConnectTimeoutBoundsAHungBroker) {
  BlackholeListener hole;  // accepts nothing: connect() hangs
  broker::AmqpOptions o = options("blackhole");
  o.url.port = hole.port();
  o.connect_timeout = 300ms;
  AmqpConnection c(o);
  const auto start = Clock::now();
  Status st = c.ensure_connected();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kUnavailable);
  EXPECT_LT(seconds_since(start), 1.5);
}

}  // namespace
}  // namespace imgflo::test
