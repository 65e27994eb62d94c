#include "http/request_target.h"

#include <algorithm>
#include <array>

#include "core/query.h"

namespace imgflo::http {

namespace {

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

constexpr std::string_view kGraphPrefix = "/graph/";

// KEY, TOKEN and NAME of a signed graph path ("/graph/KEY/TOKEN/NAME"); false otherwise.
bool split_signed(std::string_view path, std::string_view& key, std::string_view& name) {
  if (!path.starts_with(kGraphPrefix)) return false;
  const std::string_view rest = path.substr(kGraphPrefix.size());
  const size_t first = rest.find('/');
  if (first == std::string_view::npos) return false;
  const size_t second = rest.find('/', first + 1);
  if (second == std::string_view::npos || rest.find('/', second + 1) != std::string_view::npos) return false;
  key = rest.substr(0, first);
  name = rest.substr(second + 1);
  return true;
}

// `url` without the userinfo of its authority ("http://u:p@h/x" -> "http://h/x"), or "" when it has none.
std::string without_userinfo(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  const size_t host = scheme + 3;
  const size_t end = std::min(url.find_first_of("/?#", host), url.size());
  const size_t at = url.substr(host, end - host).rfind('@');
  if (at == std::string_view::npos) return {};
  std::string out(url.substr(0, host));
  out.append(url.substr(host + at + 1));
  return out;
}

bool may_hold_userinfo(std::string_view query) {
  if (query.find('@') != std::string_view::npos) return true;
  for (size_t at = query.find('%'); at != std::string_view::npos; at = query.find('%', at + 1)) {
    if (query.substr(at + 1, 2) == "40") return true;
  }
  return false;
}

// The query (without '?') with credentials removed from URL values.
void append_redacted_query(std::string& out, std::string_view query) {
  if (!may_hold_userinfo(query)) {
    out.append(query);
    return;
  }
  bool first = true;
  while (true) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const size_t eq = pair.find('=');
    const std::string bare =
        eq == std::string_view::npos ? std::string() : without_userinfo(percent_decode(pair.substr(eq + 1)));
    if (bare.empty()) {
      out.append(pair);
    } else {
      out.append(pair.substr(0, eq + 1)).append(percent_encode(bare));
    }
    if (amp == std::string_view::npos) return;
    query.remove_prefix(amp + 1);
  }
}

constexpr std::array<std::string_view, kRouteCount> kRouteNames = {"graph",  "cache", "graphs",  "version",
                                                                   "health", "ready", "metrics", "other"};

}  // namespace

Route route_of(std::string_view target) {
  const std::string_view path = path_of(target);
  if (path.starts_with(kGraphPrefix)) return Route::kGraph;
  if (path.starts_with("/cache/")) return Route::kCache;
  if (path == "/graphs") return Route::kGraphs;
  if (path == "/version") return Route::kVersion;
  if (path == "/health") return Route::kHealth;
  if (path == "/ready") return Route::kReady;
  if (path == "/metrics") return Route::kMetrics;
  return Route::kOther;
}

std::string_view route_name(Route route) { return kRouteNames[static_cast<size_t>(route)]; }

std::string_view app_key_of(std::string_view target) {
  std::string_view key, name;
  return split_signed(path_of(target), key, name) ? key : std::string_view();
}

void append_redacted_target(std::string& out, std::string_view target) {
  const size_t start = out.size();
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  std::string_view key, name;
  if (split_signed(path, key, name)) {
    out.append(kGraphPrefix).append(key).append("/-/").append(name);
  } else {
    out.append(path);
  }
  if (q != std::string_view::npos) {
    out += '?';
    append_redacted_query(out, target.substr(q + 1));
  }
  if (out.size() - start > kMaxLoggedTarget) {
    out.resize(start + kMaxLoggedTarget);
    out.append("...");
  }
}

}  // namespace imgflo::http
