// One connection to RabbitMQ (rabbitmq-c 0.11), with one channel, owned by one thread.
//
// Thread-safety: none. rabbitmq-c connection state must not be shared, and
// heartbeats are only handled inside library calls, so the owning thread must
// call poll() (with a non-zero timeout) at least every second or so, and never
// run long work in between: workers hand that to other threads.
//
// Failures: every call returns kUnavailable with a message for logs (it names
// the broker, never the password). Any failure of an established connection
// (socket, protocol, server-side channel or connection close, RPC timeout)
// closes it: rabbitmq-c leaves its state undefined after such errors. The
// next ensure_connected() reconnects after an exponential backoff (bounded),
// runs the Setup callback (declarations, consumers) and bumps generation():
// delivery tags of an older generation are meaningless and must be dropped.
//
// Publisher confirms: with `confirms`, publish() returns the channel's
// sequence number and the broker's ack/nack arrives as a Confirm from poll();
// publish_confirmed() waits for it (deliveries that arrive meanwhile are kept
// for poll()).
#pragma once

#include "broker/broker_url.h"
#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

struct amqp_connection_state_t_;

namespace imgflo::broker {

struct AmqpOptions {
  BrokerUrl url;
  std::chrono::milliseconds connect_timeout{5'000};  // TCP connect, and the AMQP handshake
  std::chrono::milliseconds rpc_timeout{10'000};     // each synchronous call and confirm wait
  int heartbeat_seconds = 30;                        // 0 = off (not recommended: dead peers go unnoticed)
  bool confirms = true;                              // publisher confirms on the channel
  std::string name;                                  // connection_name, shown by rabbitmqctl
  std::chrono::milliseconds backoff_initial{100};    // first retry delay after a failed attempt
  std::chrono::milliseconds backoff_max{2'000};      // retry delays double (+-25 % jitter) up to this
};

struct Outgoing {
  std::string_view body;
  bool persistent = true;  // delivery_mode 2: survives a broker restart in a durable queue
  std::string_view content_type = "application/json";
  std::string_view message_id;  // "" = none
};

struct Delivery {
  uint64_t tag = 0;  // for ack()/reject(), valid in the generation it arrived in
  std::string consumer_tag, exchange, routing_key, message_id, body;
  bool redelivered = false;
  int64_t delivery_count = 0;  // quorum queues' x-delivery-count: earlier failed deliveries
};

struct Confirm {
  uint64_t tag = 0;  // publish sequence number
  bool multiple = false;  // covers every sequence number <= tag
  bool ack = true;        // false = nack: the broker did not take the message
};

using Event = std::variant<Delivery, Confirm>;

using Argument = std::variant<std::string, int64_t>;
struct QueueSpec {
  std::string name;
  bool durable = true;
  bool exclusive = false;
  bool auto_delete = false;
  std::vector<std::pair<std::string, Argument>> arguments;  // x-queue-type, x-dead-letter-exchange, ...
};

class AmqpConnection {
 public:
  // Runs after each successful connect (declarations, qos, consumers). A
  // failure closes the connection and counts as a failed attempt.
  using Setup = std::function<Status(AmqpConnection&)>;

  explicit AmqpConnection(AmqpOptions options, Setup setup = nullptr);
  ~AmqpConnection();  // closes gracefully (best effort, bounded by the timeouts)
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  // Ok when connected. Otherwise tries to connect if the backoff delay has
  // passed (returning at once with kUnavailable when it has not).
  Status ensure_connected();
  bool connected() const { return conn_ != nullptr; }
  // Time until ensure_connected() tries again; zero when connected or due.
  std::chrono::milliseconds retry_in() const;
  uint64_t generation() const { return generation_; }
  const BrokerUrl& url() const { return options_.url; }
  // Why the connection last failed or closed ("" before any failure).
  const std::string& last_error() const { return last_error_; }
  // Closes the connection (unacked deliveries return to their queues).
  void close();

  // Synchronous calls; REQUIRE connected().
  Status declare_exchange(const std::string& name, const std::string& type = "fanout", bool durable = true,
                          bool auto_delete = false);
  Status declare_queue(const QueueSpec& queue);
  // Consumers of the existing queue `name` right now (a passive declare; a missing queue closes the connection).
  Result<uint32_t> consumers(const std::string& name);
  Status bind_queue(const std::string& queue, const std::string& exchange, const std::string& routing_key = "");
  Status delete_queue(const std::string& name);
  Status delete_exchange(const std::string& name);
  Status set_prefetch(uint16_t count);  // unacked deliveries per consumer
  // Starts a consumer; returns its tag. auto_ack = the broker forgets each
  // message as it is sent (no ack()).
  Result<std::string> consume(const std::string& queue, bool auto_ack = false, bool exclusive = false);
  // Stops a consumer (basic.cancel, no-wait: no reply is awaited); deliveries
  // already on their way still arrive.
  Status cancel(const std::string& consumer_tag);

  Result<uint64_t> publish(const std::string& exchange, const std::string& routing_key, const Outgoing& message);
  Status publish_confirmed(const std::string& exchange, const std::string& routing_key, const Outgoing& message);
  Status ack(uint64_t tag);
  Status reject(uint64_t tag, bool requeue);

  // The next delivery or confirm, waiting up to `timeout`; nullopt when none
  // came. Also where heartbeats are sent and checked.
  Result<std::optional<Event>> poll(std::chrono::milliseconds timeout);
  // For poll(2) together with other descriptors: the socket (-1 when not
  // connected) and whether events are already buffered (then do not wait).
  int fd() const;
  bool buffered() const;

 private:
  Status connect_once();
  Status check_reply(const char* what);
  Error fail(const std::string& what);  // closes, returns kUnavailable
  Error not_connected() const;
  Result<std::optional<Event>> read_frame(std::chrono::milliseconds timeout);

  const AmqpOptions options_;
  const Setup setup_;
  amqp_connection_state_t_* conn_ = nullptr;
  uint64_t generation_ = 0;
  uint64_t next_publish_seq_ = 1;
  std::deque<Event> pending_;  // events read while waiting for a confirm
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
  std::string last_error_;
};

}  // namespace imgflo::broker
