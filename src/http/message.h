// Transport-neutral HTTP messages: what the Beast session hands the handler
// and what it writes back. Keeping Beast out of the handler lets routing be
// unit-tested without sockets (and keeps Beast in one translation unit).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imgflo::http {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "POST", ...
  std::string target;  // path + query, as received
  std::string host;    // Host header ("" if absent); never used for locations (http/public_url.h)
  std::string if_none_match;
  std::string accept;  // Accept header ("" if absent): negotiates requests without extension
  std::string request_id;  // X-Request-Id as kept or made by the transport (http/request_id.h)
  std::string origin;  // Origin header ("" if absent): CORS (http/cors.h)
};

// How the cache took part in an answer (the access log and the request
// metrics): a stored result found (hit), processing asked for (miss), the
// prepared hot-path answer (hot), or no cache lookup at all (none).
enum class CacheOutcome : uint8_t { kNone, kHit, kMiss, kHot };
// "none", "hit", "miss", "hot".
std::string_view cache_outcome_name(CacheOutcome cache);

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  CacheOutcome cache = CacheOutcome::kNone;  // set by the handler on graph requests; not sent

  HttpResponse& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  static HttpResponse json(int status, const nlohmann::json& body);
  static HttpResponse redirect(int status, const std::string& location);
};

// Completes a request. Must be called exactly once; may be called from any
// thread (the transport hops back to the connection's event-loop thread).
using Respond = std::function<void(HttpResponse)>;

}  // namespace imgflo::http
