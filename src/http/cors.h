// CORS: which web pages (origins) may read the service's answers from a
// browser, per route (docs/design.md, "CORS").
//
// Two lists, each "*" (any origin), a comma-separated list of origins
// (scheme://host[:port], compared without case), or empty (no CORS headers):
//   - IMGFLO_CORS_PUBLIC_ORIGINS for the public descriptions: /graphs,
//     /version, /openapi.json (default "*");
//   - IMGFLO_CORS_ORIGINS for every other route: graph requests, /cache,
//     /files, /health, /ready, /metrics (default empty).
//
// Answers:
//   - "*": `Access-Control-Allow-Origin: *` on every answer (whatever the
//     request's Origin, so caches may share one answer).
//   - a list: an Origin on the list is echoed; a missing or unlisted one gets
//     nothing (a disallowed origin is never echoed); every answer carries
//     `Vary: Origin`, since it depends on that header.
//   - graph routes also expose `Location` (Access-Control-Expose-Headers), so
//     a page can read where its result is.
//   - preflight (OPTIONS): 204 with Allow; for an allowed origin also the
//     route's methods, the request headers a client may send (Accept,
//     If-None-Match, X-Request-Id) and Access-Control-Max-Age.
// Credentials are never allowed (no Access-Control-Allow-Credentials).
//
// The hot path (http/hot_responses.h) keeps a graph answer with the headers
// that do not depend on the Origin (add_static_headers); with a list, a
// request carrying an Origin must take the full path (depends_on_origin).
// Immutable after construction; thread-safe.
#pragma once

#include "core/error.h"
#include "http/message.h"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::http {

struct CorsOrigins {
  bool any = false;                  // "*"
  std::vector<std::string> origins;  // lower case, no trailing '/'

  bool none() const { return !any && origins.empty(); }
  bool allows(std::string_view origin) const;
  // As the setting reads: "*", "a,b", or "" for none.
  std::string text() const;
};

// The text of a setting: "" (none), "*", or origins separated by ',' (spaces
// around them ignored); kInvalidArgument naming the first bad entry.
Result<CorsOrigins> parse_cors_origins(std::string_view text);

struct CorsPolicy {
  CorsOrigins public_routes{true, {}};  // IMGFLO_CORS_PUBLIC_ORIGINS
  CorsOrigins other_routes;             // IMGFLO_CORS_ORIGINS
};

class Cors {
 public:
  static constexpr std::chrono::seconds kPreflightMaxAge{7200};  // the longest browsers keep (Chromium)
  explicit Cors(CorsPolicy policy = {}) : policy_(std::move(policy)) {}

  // Adds the CORS headers for the answer to a request to `path` from `origin`
  // ("" = no Origin header): add_static_headers, then the echoed origin.
  void add_headers(std::string_view path, std::string_view origin, HttpResponse& response) const;
  // Adds the headers that do not depend on the request's Origin.
  void add_static_headers(std::string_view path, HttpResponse& response) const;
  // Whether the answers to `path` differ with the Origin header.
  bool depends_on_origin(std::string_view path) const { return !origins_for(path).any && !origins_for(path).none(); }
  // The answer to OPTIONS `path` from `origin`, whose route accepts `methods`
  // ("GET, HEAD"); add_headers() still applies to it.
  HttpResponse preflight(std::string_view path, std::string_view origin, const std::string& methods) const;

 private:
  const CorsOrigins& origins_for(std::string_view path) const;
  CorsPolicy policy_;
};

// Adds `token` to the response's Vary header (one header, tokens joined by ", ").
void add_vary(HttpResponse& response, std::string_view token);

}  // namespace imgflo::http
