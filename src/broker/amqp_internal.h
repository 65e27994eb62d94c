// Helpers shared by the rabbitmq-c wrapper's translation units (not a public header).
#pragma once

#include <amqp.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace imgflo::broker::detail {

inline constexpr amqp_channel_t kChannel = 1;
using std::chrono::milliseconds;

inline timeval to_timeval(milliseconds d) {
  const long long ms = std::max<long long>(0, d.count());
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

inline amqp_bytes_t bytes(const std::string& s) { return amqp_bytes_t{s.size(), const_cast<char*>(s.data())}; }

inline std::string text(amqp_bytes_t b) { return std::string(static_cast<const char*>(b.bytes), b.len); }

inline std::string describe(const amqp_rpc_reply_t& r) {
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

}  // namespace imgflo::broker::detail
