#include "cache/redis_config.h"
#include "core/query.h"

#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

namespace imgflo::cache {

namespace {

Error bad_url(const std::string& why) {
  return Error(ErrorKind::kInvalidArgument, "invalid Redis URL: " + why);
}

std::optional<int> parse_int(std::string_view s, int min, int max) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < min || v > max) return std::nullopt;
  return v;
}

// "user:password" or ":password" or "password" (no colon: a password, as redis-cli reads it).
Status parse_userinfo(std::string_view info, RedisEndpoint& ep) {
  const size_t colon = info.find(':');
  auto user = percent_decode_strict(colon == std::string_view::npos ? std::string_view() : info.substr(0, colon));
  auto pass = percent_decode_strict(colon == std::string_view::npos ? info : info.substr(colon + 1));
  if (!user || !pass) return bad_url("bad percent-encoding in the credentials");
  ep.user = *user;
  ep.password = *pass;
  return ok_status();
}

// "host", "host:port", "[v6]", "[v6]:port".
Status parse_hostport(std::string_view hp, RedisEndpoint& ep) {
  std::optional<std::string_view> port;
  if (!hp.empty() && hp.front() == '[') {
    const size_t close = hp.find(']');
    if (close == std::string_view::npos) return bad_url("unterminated '[' in the host");
    ep.host = std::string(hp.substr(1, close - 1));
    const std::string_view rest = hp.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return bad_url("unexpected text after ']'");
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const size_t colon = hp.find(':');
    ep.host = std::string(hp.substr(0, colon));
    if (colon != std::string_view::npos) port = hp.substr(colon + 1);
  }
  if (ep.host.empty()) return bad_url("no host");
  if (port) {
    auto p = parse_int(*port, 1, 65535);
    if (!p) return bad_url("port must be 1..65535");
    ep.port = *p;
  }
  return ok_status();
}

}  // namespace

std::string RedisEndpoint::describe() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" + std::to_string(db);
}

Result<RedisEndpoint> parse_redis_url(const std::string& url) {
  constexpr std::string_view kScheme = "redis://";
  std::string_view s(url);
  if (s.starts_with("rediss://")) return bad_url("rediss:// (TLS) is not supported by this build");
  if (!s.starts_with(kScheme)) return bad_url("must start with redis://");
  s.remove_prefix(kScheme.size());
  RedisEndpoint ep;
  const size_t slash = s.find('/');
  std::string_view authority = s.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? std::string_view() : s.substr(slash + 1);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    if (Status st = parse_userinfo(authority.substr(0, at), ep); !st.ok()) return st.take_error();
    authority.remove_prefix(at + 1);
  }
  if (Status st = parse_hostport(authority, ep); !st.ok()) return st.take_error();
  if (path.find_first_of("?#") != std::string_view::npos) return bad_url("query or fragment not supported");
  if (!path.empty()) {
    auto db = parse_int(path, 0, 1 << 20);
    if (!db) return bad_url("database must be a non-negative number");
    ep.db = *db;
  }
  return ep;
}

Status RedisClientOptions::validate() const {
  std::vector<std::string> problems;
  if (connect_timeout.count() <= 0) problems.push_back("connect_timeout must be > 0");
  if (command_timeout.count() <= 0) problems.push_back("command_timeout must be > 0");
  if (backoff_min.count() <= 0 || backoff_max < backoff_min) problems.push_back("need 0 < backoff_min <= backoff_max");
  if (connections < 1 || connections > 64) problems.push_back("connections must be 1..64");
  if (queue_capacity < 1) problems.push_back("queue_capacity must be >= 1");
  if (max_batch < 1) problems.push_back("max_batch must be >= 1");
  if (problems.empty()) return ok_status();
  std::string msg = "invalid Redis client options:";
  for (const auto& p : problems) msg += " " + p + ";";
  return Error(ErrorKind::kInvalidArgument, msg);
}

}  // namespace imgflo::cache
