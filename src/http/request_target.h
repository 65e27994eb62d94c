// What the access log and the request metrics read from a request target:
// its route (a small fixed set, a metrics label), the app key it names, and
// the target as it may be logged.
//
// Redaction: a signed URL /graph/KEY/TOKEN/NAME?... is logged as
// /graph/KEY/-/NAME?... (a token is a credential for exactly that URL), and
// a query value that is a URL with credentials (http://user:pass@host/...,
// raw or percent-encoded: input=, watermark=, any parameter) loses them:
// http://host/... (re-encoded). Everything else is kept byte for byte (the
// log's formatter escapes what needs escaping); targets longer than
// kMaxLoggedTarget bytes are cut there and end with "...".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace imgflo::http {

enum class Route : uint8_t { kGraph, kCache, kGraphs, kVersion, kHealth, kReady, kMetrics, kOther };
inline constexpr size_t kRouteCount = 8;

// The route of `target` (path and query, as received).
Route route_of(std::string_view target);
// "graph", "cache", "graphs", "version", "health", "ready", "metrics", "other".
std::string_view route_name(Route route);

// The app key of a signed graph URL (/graph/KEY/TOKEN/NAME), "" otherwise.
std::string_view app_key_of(std::string_view target);

inline constexpr size_t kMaxLoggedTarget = 4096;

// Appends `target` redacted as above to `out`.
void append_redacted_target(std::string& out, std::string_view target);

}  // namespace imgflo::http
