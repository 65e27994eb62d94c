#include "broker/amqp_connection.h"

#include "broker/amqp_internal.h"

#include <amqp_tcp_socket.h>

#include <algorithm>
#include <random>

namespace imgflo::broker {

using namespace detail;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;


AmqpConnection::AmqpConnection(AmqpOptions options, Setup setup)
    : options_(std::move(options)), setup_(std::move(setup)) {}

AmqpConnection::~AmqpConnection() { close(); }

Error AmqpConnection::fail(const std::string& what) {
  last_error_ = what;
  if (conn_) {
    amqp_destroy_connection(conn_);  // also closes the socket
    conn_ = nullptr;
  }
  pending_.clear();
  return Error(ErrorKind::kUnavailable, "message broker " + options_.url.redacted() + ": " + what);
}

Error AmqpConnection::not_connected() const {
  return Error(ErrorKind::kUnavailable, "message broker " + options_.url.redacted() + ": not connected (" +
                                            (last_error_.empty() ? "not yet connected" : last_error_) + ")");
}

Status AmqpConnection::check_reply(const char* what) {
  const amqp_rpc_reply_t r = amqp_get_rpc_reply(conn_);
  if (r.reply_type == AMQP_RESPONSE_NORMAL) return ok_status();
  return fail(std::string(what) + ": " + describe(r));
}

void AmqpConnection::close() {
  if (!conn_) return;
  timeval quick = to_timeval(std::min(options_.rpc_timeout, milliseconds(1'000)));  // a hung broker must not hold us
  amqp_set_rpc_timeout(conn_, &quick);
  amqp_channel_close(conn_, kChannel, AMQP_REPLY_SUCCESS);
  amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn_);
  conn_ = nullptr;
  pending_.clear();
}

milliseconds AmqpConnection::retry_in() const {
  if (conn_) return milliseconds(0);
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(next_attempt_ - Clock::now()));
}

Status AmqpConnection::ensure_connected() {
  if (conn_) return ok_status();
  const auto now = Clock::now();
  if (now < next_attempt_) {
    return Error(ErrorKind::kUnavailable, "message broker " + options_.url.redacted() + " unreachable: " + last_error_ +
                                              " (retrying in " + std::to_string(retry_in().count()) + " ms)");
  }
  Status st = connect_once();
  if (st.ok()) {
    ++generation_;
    if (setup_) st = setup_(*this);
    if (st.ok() && !conn_) st = fail("the connection closed during set-up");
  }
  if (st.ok()) {
    backoff_ = milliseconds(0);
    return st;
  }
  if (conn_) (void)fail(st.error().message());
  backoff_ = backoff_.count() == 0 ? options_.backoff_initial : std::min(backoff_ * 2, options_.backoff_max);
  // Jitter spreads the reconnects of many processes after a broker restart.
  static thread_local std::minstd_rand jitter(std::random_device{}());
  const double factor = std::uniform_real_distribution<double>(0.75, 1.25)(jitter);
  next_attempt_ = now + std::chrono::duration_cast<Clock::duration>(backoff_ * factor);
  return st;
}

Status AmqpConnection::connect_once() {
  conn_ = amqp_new_connection();
  if (!conn_) return Error(ErrorKind::kUnavailable, "out of memory");
  amqp_socket_t* socket = amqp_tcp_socket_new(conn_);
  if (!socket) return fail("cannot create a socket");
  timeval connect_tv = to_timeval(options_.connect_timeout);
  const int rc = amqp_socket_open_noblock(socket, options_.url.host.c_str(), options_.url.port, &connect_tv);
  if (rc != AMQP_STATUS_OK) return fail(std::string("connect: ") + amqp_error_string2(rc));
  amqp_set_handshake_timeout(conn_, &connect_tv);
  timeval rpc_tv = to_timeval(options_.rpc_timeout);
  amqp_set_rpc_timeout(conn_, &rpc_tv);

  amqp_table_entry_t name;
  name.key = amqp_cstring_bytes("connection_name");
  name.value.kind = AMQP_FIELD_KIND_UTF8;
  name.value.value.bytes = bytes(options_.name);
  const amqp_table_t properties{options_.name.empty() ? 0 : 1, &name};
  const amqp_rpc_reply_t login = amqp_login_with_properties(
      conn_, options_.url.vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE, options_.heartbeat_seconds, &properties,
      AMQP_SASL_METHOD_PLAIN, options_.url.user.c_str(), options_.url.password.c_str());
  if (login.reply_type != AMQP_RESPONSE_NORMAL) return fail("login: " + describe(login));
  amqp_channel_open(conn_, kChannel);
  if (Status st = check_reply("channel.open"); !st.ok()) return st;
  if (options_.confirms) {
    amqp_confirm_select(conn_, kChannel);
    if (Status st = check_reply("confirm.select"); !st.ok()) return st;
  }
  next_publish_seq_ = 1;
  pending_.clear();
  return ok_status();
}

Status AmqpConnection::declare_exchange(const std::string& name, const std::string& type, bool durable,
                                        bool auto_delete) {
  if (!conn_) return not_connected();
  amqp_exchange_declare(conn_, kChannel, bytes(name), bytes(type), 0, durable, auto_delete, 0, amqp_empty_table);
  return check_reply(("exchange.declare " + name).c_str());
}

Status AmqpConnection::declare_queue(const QueueSpec& q) {
  if (!conn_) return not_connected();
  std::vector<amqp_table_entry_t> entries(q.arguments.size());
  for (size_t i = 0; i < q.arguments.size(); ++i) {
    const auto& [key, value] = q.arguments[i];
    entries[i].key = bytes(key);
    if (const auto* s = std::get_if<std::string>(&value)) {
      entries[i].value.kind = AMQP_FIELD_KIND_UTF8;
      entries[i].value.value.bytes = bytes(*s);
    } else {
      entries[i].value.kind = AMQP_FIELD_KIND_I64;
      entries[i].value.value.i64 = std::get<int64_t>(value);
    }
  }
  const amqp_table_t arguments{static_cast<int>(entries.size()), entries.data()};
  amqp_queue_declare(conn_, kChannel, bytes(q.name), 0, q.durable, q.exclusive, q.auto_delete, arguments);
  return check_reply(("queue.declare " + q.name).c_str());
}

Result<uint32_t> AmqpConnection::consumers(const std::string& name) {
  if (!conn_) return not_connected();
  const amqp_queue_declare_ok_t* ok =
      amqp_queue_declare(conn_, kChannel, bytes(name), /*passive=*/1, 0, 0, 0, amqp_empty_table);
  if (Status st = check_reply(("queue.declare (passive) " + name).c_str()); !st.ok()) return st.take_error();
  if (!ok) return Error(ErrorKind::kUnavailable, "queue.declare " + name + ": no answer");
  return ok->consumer_count;
}

Status AmqpConnection::bind_queue(const std::string& queue, const std::string& exchange,
                                  const std::string& routing_key) {
  if (!conn_) return not_connected();
  amqp_queue_bind(conn_, kChannel, bytes(queue), bytes(exchange), bytes(routing_key), amqp_empty_table);
  return check_reply(("queue.bind " + queue + " to " + exchange).c_str());
}

Status AmqpConnection::delete_queue(const std::string& name) {
  if (!conn_) return not_connected();
  amqp_queue_delete(conn_, kChannel, bytes(name), 0, 0);
  return check_reply(("queue.delete " + name).c_str());
}

Status AmqpConnection::delete_exchange(const std::string& name) {
  if (!conn_) return not_connected();
  amqp_exchange_delete(conn_, kChannel, bytes(name), 0);
  return check_reply(("exchange.delete " + name).c_str());
}

Status AmqpConnection::set_prefetch(uint16_t count) {
  if (!conn_) return not_connected();
  amqp_basic_qos(conn_, kChannel, 0, count, 0);
  return check_reply("basic.qos");
}

Result<std::string> AmqpConnection::consume(const std::string& queue, bool auto_ack, bool exclusive) {
  if (!conn_) return not_connected();
  const amqp_basic_consume_ok_t* ok =
      amqp_basic_consume(conn_, kChannel, bytes(queue), amqp_empty_bytes, 0, auto_ack, exclusive, amqp_empty_table);
  if (Status st = check_reply(("basic.consume " + queue).c_str()); !st.ok()) return st.take_error();
  return text(ok->consumer_tag);
}

Status AmqpConnection::cancel(const std::string& consumer_tag) {
  if (!conn_) return not_connected();
  amqp_basic_cancel_t method{bytes(consumer_tag), 1};
  const int rc = amqp_send_method(conn_, kChannel, AMQP_BASIC_CANCEL_METHOD, &method);
  if (rc != AMQP_STATUS_OK) return fail(std::string("basic.cancel: ") + amqp_error_string2(rc));
  return ok_status();
}

Result<uint64_t> AmqpConnection::publish(const std::string& exchange, const std::string& routing_key,
                                         const Outgoing& message) {
  if (!conn_) return not_connected();
  const std::string content_type(message.content_type), message_id(message.message_id);
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.content_type = bytes(content_type);
  props.delivery_mode = message.persistent ? AMQP_DELIVERY_PERSISTENT : AMQP_DELIVERY_NONPERSISTENT;
  if (!message_id.empty()) {
    props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
    props.message_id = bytes(message_id);
  }
  const amqp_bytes_t body{message.body.size(), const_cast<char*>(message.body.data())};
  const int rc =
      amqp_basic_publish(conn_, kChannel, bytes(exchange), bytes(routing_key), 0, 0, &props, body);
  if (rc != AMQP_STATUS_OK) return fail(std::string("publish: ") + amqp_error_string2(rc));
  return options_.confirms ? next_publish_seq_++ : uint64_t{0};
}

Status AmqpConnection::ack(uint64_t tag) {
  if (!conn_) return not_connected();
  const int rc = amqp_basic_ack(conn_, kChannel, tag, 0);
  if (rc != AMQP_STATUS_OK) return fail(std::string("ack: ") + amqp_error_string2(rc));
  return ok_status();
}

Status AmqpConnection::reject(uint64_t tag, bool requeue) {
  if (!conn_) return not_connected();
  const int rc = amqp_basic_reject(conn_, kChannel, tag, requeue);
  if (rc != AMQP_STATUS_OK) return fail(std::string("reject: ") + amqp_error_string2(rc));
  return ok_status();
}

}  // namespace imgflo::broker
