// The broker address: amqp://user:pass@host:port/vhost, parsed once at the edge.
//
// Follows the AMQP URI scheme as RabbitMQ documents it, with one pragmatic
// difference: an empty path ("amqp://host/" or "amqp://host") means the
// default vhost "/" (most clients read it so; the strict reading "" is a
// vhost no broker has). Percent-escapes are decoded in every part, so the
// vhost "/" may also be written "%2f". Defaults: guest/guest, port 5672.
// "amqps" (TLS) is refused: the build has no TLS socket wired in.
#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace imgflo::broker {

struct BrokerUrl {
  std::string host;
  uint16_t port = 5672;
  std::string user = "guest";
  std::string password = "guest";
  std::string vhost = "/";

  // "amqp://user@host:port/vhost" without the password, for logs.
  std::string redacted() const;
};

// kInvalidArgument naming the problem (never echoing the password).
Result<BrokerUrl> parse_broker_url(std::string_view url);

}  // namespace imgflo::broker
