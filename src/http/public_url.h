// The base URL of the Locations of local results (/cache/KEY), and the rule
// that picks it (docs/design.md, "Public URL").
//
//   - IMGFLO_PUBLIC_URL, when set: an http(s) URL without user info, query or
//     fragment (a path is allowed: a proxy may serve the API under /img);
//     trailing '/' dropped.
//   - else HOSTNAME, as the original did (`http://HOSTNAME`), but only when it
//     is a `host[:port]` and the host is not a bare container id (12 or 64
//     lower-case hex digits: what Docker sets, unreachable from outside);
//   - else nothing: Locations are relative (/cache/KEY), and the program warns
//     at start-up.
// The request's Host header never takes part: a location built from it could
// be poisoned by one client and served to the next from the hot path's
// prepared answers (http/hot_responses.h). Pure functions, thread-safe.
#pragma once

#include "core/error.h"

#include <optional>
#include <string>
#include <string_view>

namespace imgflo::http {

// `host[:port]`: DNS labels (letters, digits, '-', not at a label's ends, at
// most 63 each, 253 in all) or an IPv4 address, then an optional port 1-65535.
bool is_host_port(std::string_view text);

// 12 or 64 lower-case hex digits (a Docker container id, short or full).
bool is_container_id(std::string_view host);

// IMGFLO_PUBLIC_URL in canonical form (no trailing '/'), or kInvalidArgument saying what is wrong.
Result<std::string> parse_public_url(std::string_view url);

// "http://HOSTNAME" when HOSTNAME may serve as the public base (see above), else nullopt.
std::optional<std::string> base_from_hostname(std::string_view hostname);

// The start-up warning when no base applies (`hostname` = HOSTNAME's value, nullopt when unset).
std::string relative_locations_warning(const std::optional<std::string>& hostname);

}  // namespace imgflo::http
