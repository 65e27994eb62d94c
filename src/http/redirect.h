// The redirects to stored results, with the headers that let a CDN in front
// keep them.
//
// Decisions (docs/design.md, "Format negotiation"):
//   - A 301 points at an immutable stored result: it carries
//     `Cache-Control: public, max-age=N` (IMGFLO_REDIRECT_MAX_AGE, default one
//     day; 0 sends `no-cache`, since a 301 without Cache-Control is
//     heuristically cacheable).
//   - When the answer depends on the Accept header (a request without
//     extension to a graph that negotiates, request/negotiate.h) it also
//     carries `Vary: Accept` — for EVERY such request, the JPEG answer to curl
//     included: a cache that kept curl's JPEG redirect without Vary would hand
//     it to a browser that should get WebP/AVIF.
//   - A POST's 202 (the future URL) is not cacheable; it carries Vary: Accept
//     under the same rule, and no Cache-Control.
#pragma once

#include "http/message.h"

#include <chrono>
#include <string>

namespace imgflo::http {

// A 301 to `location` with the headers above.
HttpResponse stored_redirect(const std::string& location, std::chrono::seconds max_age, bool vary_accept);

// A 202 to the future `location` of a background job.
HttpResponse future_redirect(const std::string& location, bool vary_accept);

// The HTTP/1.1 bytes of a 301 made by stored_redirect() (status line, Server,
// its headers, Content-Length: 0): the hot path's prepared answer.
std::string serialize_redirect(const HttpResponse& redirect);

}  // namespace imgflo::http
