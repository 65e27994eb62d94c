#include "broker/amqp_connection.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <algorithm>
#include <random>

namespace imgflo::broker {

namespace {

constexpr amqp_channel_t kChannel = 1;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

timeval to_timeval(milliseconds d) {
  const long long ms = std::max<long long>(0, d.count());
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

amqp_bytes_t bytes(const std::string& s) { return amqp_bytes_t{s.size(), const_cast<char*>(s.data())}; }

std::string text(amqp_bytes_t b) { return std::string(static_cast<const char*>(b.bytes), b.len); }

std::string describe(const amqp_rpc_reply_t& r) {
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL: return "ok";
    case AMQP_RESPONSE_NONE: return "no reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION: return amqp_error_string2(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const auto* m = static_cast<const amqp_connection_close_t*>(r.reply.decoded);
        return "connection closed by the broker: " + std::to_string(m->reply_code) + " " + text(m->reply_text);
      }
      if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const auto* m = static_cast<const amqp_channel_close_t*>(r.reply.decoded);
        return "channel closed by the broker: " + std::to_string(m->reply_code) + " " + text(m->reply_text);
      }
      return "unexpected reply method " + std::to_string(r.reply.id);
  }
  return "unknown reply";
}

// Integer value of a header field of any integer kind (RabbitMQ sends x-delivery-count as a long).
std::optional<int64_t> integer_field(const amqp_field_value_t& v) {
  switch (v.kind) {
    case AMQP_FIELD_KIND_I8: return v.value.i8;
    case AMQP_FIELD_KIND_U8: return v.value.u8;
    case AMQP_FIELD_KIND_I16: return v.value.i16;
    case AMQP_FIELD_KIND_U16: return v.value.u16;
    case AMQP_FIELD_KIND_I32: return v.value.i32;
    case AMQP_FIELD_KIND_U32: return v.value.u32;
    case AMQP_FIELD_KIND_I64: return v.value.i64;
    case AMQP_FIELD_KIND_U64: return static_cast<int64_t>(v.value.u64);
    default: return std::nullopt;
  }
}

int64_t delivery_count(const amqp_basic_properties_t& p) {
  if (!(p._flags & AMQP_BASIC_HEADERS_FLAG)) return 0;
  for (int i = 0; i < p.headers.num_entries; ++i) {
    const amqp_table_entry_t& e = p.headers.entries[i];
    if (text(e.key) == "x-delivery-count") return integer_field(e.value).value_or(0);
  }
  return 0;
}

}  // namespace

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

Status AmqpConnection::publish_confirmed(const std::string& exchange, const std::string& routing_key,
                                         const Outgoing& message) {
  auto seq = publish(exchange, routing_key, message);
  if (!seq.ok()) return seq.take_error();
  if (!options_.confirms) return ok_status();
  const auto deadline = Clock::now() + options_.rpc_timeout;
  std::deque<Event> others;
  Status outcome = ok_status();
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      outcome = fail("no publisher confirm within " + std::to_string(options_.rpc_timeout.count()) + " ms");
      break;
    }
    auto event = read_frame(left);
    if (!event.ok()) {
      outcome = event.take_error();
      break;
    }
    if (!*event) continue;
    const auto* confirm = std::get_if<Confirm>(&**event);
    const bool ours = confirm && (confirm->tag == *seq || (confirm->multiple && confirm->tag > *seq));
    if (!ours || confirm->multiple) others.push_back(**event);  // may also cover other publishes
    if (ours) {
      if (!confirm->ack) outcome = Error(ErrorKind::kUnavailable, "the message broker refused the message (nack)");
      break;
    }
  }
  if (conn_) pending_.insert(pending_.end(), others.begin(), others.end());
  return outcome;
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

Result<std::optional<Event>> AmqpConnection::poll(milliseconds timeout) {
  if (!pending_.empty()) {
    Event e = std::move(pending_.front());
    pending_.pop_front();
    return std::optional<Event>(std::move(e));
  }
  return read_frame(timeout);
}

int AmqpConnection::fd() const { return conn_ ? amqp_get_sockfd(conn_) : -1; }

bool AmqpConnection::buffered() const {
  return !pending_.empty() || (conn_ && (amqp_frames_enqueued(conn_) || amqp_data_in_buffer(conn_)));
}

Result<std::optional<Event>> AmqpConnection::read_frame(milliseconds timeout) {
  if (!conn_) return not_connected();
  amqp_maybe_release_buffers(conn_);
  amqp_frame_t frame;
  timeval tv = to_timeval(timeout);
  const int rc = amqp_simple_wait_frame_noblock(conn_, &frame, &tv);
  if (rc == AMQP_STATUS_TIMEOUT) return std::optional<Event>();
  if (rc != AMQP_STATUS_OK) return fail(std::string("read: ") + amqp_error_string2(rc));
  if (frame.frame_type != AMQP_FRAME_METHOD) return std::optional<Event>();
  void* decoded = frame.payload.method.decoded;
  switch (frame.payload.method.id) {
    case AMQP_BASIC_DELIVER_METHOD: {
      const auto* d = static_cast<const amqp_basic_deliver_t*>(decoded);
      Delivery delivery;
      delivery.tag = d->delivery_tag;
      delivery.redelivered = d->redelivered != 0;
      delivery.consumer_tag = text(d->consumer_tag);
      delivery.exchange = text(d->exchange);
      delivery.routing_key = text(d->routing_key);
      amqp_message_t message;
      const amqp_rpc_reply_t r = amqp_read_message(conn_, frame.channel, &message, 0);
      if (r.reply_type != AMQP_RESPONSE_NORMAL) return fail("reading a delivery: " + describe(r));
      delivery.body = text(message.body);
      delivery.delivery_count = delivery_count(message.properties);
      if (message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
        delivery.message_id = text(message.properties.message_id);
      }
      amqp_destroy_message(&message);
      return std::optional<Event>(std::move(delivery));
    }
    case AMQP_BASIC_ACK_METHOD: {
      const auto* a = static_cast<const amqp_basic_ack_t*>(decoded);
      return std::optional<Event>(Confirm{a->delivery_tag, a->multiple != 0, true});
    }
    case AMQP_BASIC_NACK_METHOD: {
      const auto* n = static_cast<const amqp_basic_nack_t*>(decoded);
      return std::optional<Event>(Confirm{n->delivery_tag, n->multiple != 0, false});
    }
    case AMQP_BASIC_RETURN_METHOD: {  // unroutable mandatory message: read and drop its content
      amqp_message_t message;
      const amqp_rpc_reply_t r = amqp_read_message(conn_, frame.channel, &message, 0);
      if (r.reply_type != AMQP_RESPONSE_NORMAL) return fail("reading a returned message: " + describe(r));
      amqp_destroy_message(&message);
      return std::optional<Event>();
    }
    case AMQP_CHANNEL_CLOSE_METHOD: {
      const auto* m = static_cast<const amqp_channel_close_t*>(decoded);
      return fail("channel closed by the broker: " + std::to_string(m->reply_code) + " " + text(m->reply_text));
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
      const auto* m = static_cast<const amqp_connection_close_t*>(decoded);
      const std::string why = std::to_string(m->reply_code) + " " + text(m->reply_text);
      amqp_connection_close_ok_t close_ok{};
      amqp_send_method(conn_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &close_ok);
      return fail("connection closed by the broker: " + why);
    }
    case AMQP_BASIC_CANCEL_METHOD:
      return fail("the broker cancelled a consumer (its queue was deleted?)");
    default:
      return std::optional<Event>();
  }
}

}  // namespace imgflo::broker
