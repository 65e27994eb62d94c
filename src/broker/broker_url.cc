#include "broker/broker_url.h"

#include <charconv>

namespace imgflo::broker {

namespace {

Error bad(const std::string& why) { return Error(ErrorKind::kInvalidArgument, "broker URL: " + why); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> decode(std::string_view s, const char* part) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
    const int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
    if (lo < 0) return bad(std::string("bad percent-escape in the ") + part);
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace

std::string BrokerUrl::redacted() const {
  std::string vh = vhost == "/" ? "" : vhost;
  return "amqp://" + user + "@" + host + ":" + std::to_string(port) + "/" + vh;
}

Result<BrokerUrl> parse_broker_url(std::string_view url) {
  constexpr std::string_view kScheme = "amqp://";
  if (url.substr(0, 8) == "amqps://") return bad("amqps (TLS) is not supported");
  if (url.substr(0, kScheme.size()) != kScheme) return bad("must start with amqp://");
  std::string_view rest = url.substr(kScheme.size());
  if (const size_t q = rest.find('?'); q != std::string_view::npos) rest = rest.substr(0, q);  // options ignored

  BrokerUrl u;
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    auto vhost = decode(rest.substr(slash + 1), "vhost");
    if (!vhost.ok()) return vhost.take_error();
    if (!vhost->empty()) u.vhost = *vhost;
  }
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const size_t colon = userinfo.find(':');
    auto user = decode(userinfo.substr(0, colon), "user name");
    if (!user.ok()) return user.take_error();
    u.user = *user;
    if (colon != std::string_view::npos) {
      auto password = decode(userinfo.substr(colon + 1), "password");
      if (!password.ok()) return password.take_error();
      u.password = *password;
    }
  }
  std::string_view host = authority;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated [IPv6] host");
    host = authority.substr(1, close - 1);
    authority = authority.substr(close + 1);
    if (!authority.empty() && authority.front() != ':') return bad("junk after the [IPv6] host");
  } else {
    host = authority.substr(0, authority.find(':'));
    authority = authority.substr(host.size());
  }
  if (!authority.empty()) {  // ":port"
    std::string_view digits = authority.substr(1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
      return bad("port must be a number from 1 to 65535");
    }
    u.port = static_cast<uint16_t>(port);
  }
  auto decoded_host = decode(host, "host");
  if (!decoded_host.ok()) return decoded_host.take_error();
  if (decoded_host->empty()) return bad("host is missing");
  u.host = *decoded_host;
  return u;
}

}  // namespace imgflo::broker
