#include "http/cors.h"

#include "core/text.h"
#include "http/public_url.h"

#include <algorithm>

namespace imgflo::http {

// This file's helpers, in a namespace of its own (a unity batch sees every file's anonymous namespace).
namespace cors_rules {

constexpr const char* kAllowHeaders = "Accept, If-None-Match, X-Request-Id";

bool is_public_route(std::string_view path) {
  return path == "/graphs" || path == "/version" || path == "/openapi.json";
}

bool is_graph_route(std::string_view path) { return path.starts_with("/graph/"); }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "http(s)://host[:port]" (what browsers send as Origin), lower case; "" when it is not one.
std::string canonical_origin(std::string_view text) {
  std::string origin = ascii_lower(text);
  if (origin.ends_with('/')) origin.pop_back();
  const size_t scheme_end = origin.find("://");
  const std::string_view scheme = std::string_view(origin).substr(0, scheme_end);
  if (scheme_end == std::string::npos || (scheme != "http" && scheme != "https")) return "";
  return is_host_port(std::string_view(origin).substr(scheme_end + 3)) ? origin : "";
}

}  // namespace cors_rules

bool CorsOrigins::allows(std::string_view origin) const {
  if (any) return true;
  if (origin.empty() || origins.empty()) return false;
  const std::string lower = ascii_lower(origin);
  return std::find(origins.begin(), origins.end(), lower) != origins.end();
}

std::string CorsOrigins::text() const {
  if (any) return "*";
  std::string out;
  for (const auto& o : origins) out += (out.empty() ? "" : ",") + o;
  return out;
}

Result<CorsOrigins> parse_cors_origins(std::string_view text) {
  CorsOrigins result;
  if (cors_rules::trimmed(text).empty()) return result;
  if (cors_rules::trimmed(text) == "*") {
    result.any = true;
    return result;
  }
  for (size_t start = 0; start <= text.size();) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view entry = cors_rules::trimmed(text.substr(start, comma - start));
    const std::string origin = cors_rules::canonical_origin(entry);
    if (origin.empty()) {
      return Error(ErrorKind::kInvalidArgument, "'" + std::string(entry) +
                                                    "' is not an origin: use * alone, or origins like "
                                                    "https://app.example.com[:port] separated by commas");
    }
    result.origins.push_back(origin);
    start = comma + 1;
  }
  return result;
}

const CorsOrigins& Cors::origins_for(std::string_view path) const {
  return cors_rules::is_public_route(path) ? policy_.public_routes : policy_.other_routes;
}

void Cors::add_static_headers(std::string_view path, HttpResponse& response) const {
  const CorsOrigins& allowed = origins_for(path);
  if (allowed.any) {
    response.header("Access-Control-Allow-Origin", "*");
    if (cors_rules::is_graph_route(path)) response.header("Access-Control-Expose-Headers", "Location");
  } else if (!allowed.none()) {
    add_vary(response, "Origin");
  }
}

void Cors::add_headers(std::string_view path, std::string_view origin, HttpResponse& response) const {
  add_static_headers(path, response);
  const CorsOrigins& allowed = origins_for(path);
  if (allowed.any || !allowed.allows(origin)) return;
  response.header("Access-Control-Allow-Origin", std::string(origin));
  if (cors_rules::is_graph_route(path)) response.header("Access-Control-Expose-Headers", "Location");
}

HttpResponse Cors::preflight(std::string_view path, std::string_view origin, const std::string& methods) const {
  HttpResponse r;
  r.status = 204;
  r.header("Allow", methods + ", OPTIONS");
  if (origin.empty() || !origins_for(path).allows(origin)) return r;
  r.header("Access-Control-Allow-Methods", methods + ", OPTIONS");
  r.header("Access-Control-Allow-Headers", cors_rules::kAllowHeaders);
  r.header("Access-Control-Max-Age", std::to_string(kPreflightMaxAge.count()));
  return r;
}

void add_vary(HttpResponse& response, std::string_view token) {
  for (auto& [name, value] : response.headers) {
    if (ascii_lower(name) != "vary") continue;
    if (ascii_lower(value).find(ascii_lower(token)) == std::string::npos) value.append(", ").append(token);
    return;
  }
  response.header("Vary", std::string(token));
}

}  // namespace imgflo::http
