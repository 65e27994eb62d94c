// `imgflo-url --open`: one GET of a processing URL with libcurl, redirects
// not followed, so the caller sees the server's own answer (301 + Location,
// or the JSON error). The body kept is at most kMaxBody bytes (an error
// answer is small; anything longer is cut).
// One call per thread at a time; curl_global_init runs once, on first use.
#pragma once

#include "core/error.h"

#include <chrono>
#include <cstddef>
#include <string>

namespace imgflo::app {

struct HttpAnswer {
  int status = 0;
  std::string location;  // the Location header made absolute against the URL, "" when absent
  std::string body;      // at most kMaxBody bytes
};

inline constexpr std::size_t kMaxBody = 1 << 20;

// kUnavailable when the server cannot be reached or answers no HTTP within `timeout`.
Result<HttpAnswer> get_without_redirects(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace imgflo::app
