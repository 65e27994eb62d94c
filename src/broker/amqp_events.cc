// The event side of AmqpConnection: reading frames (deliveries, confirms,
// closes), waiting for publisher confirms, poll(2) support.
#include "broker/amqp_connection.h"
#include "broker/amqp_internal.h"

#include <optional>

namespace imgflo::broker {

using namespace detail;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

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
