// X-Request-Id: the id that ties a request's access line, its job's lines
// (on this frontend and on the worker that ran it) and the client's report
// together.
//
// A request's own X-Request-Id is kept when it is 1 to 128 characters of
// [A-Za-z0-9._-] (what proxies and tracing tools send); anything else — absent,
// empty, too long, spaces, quotes, control bytes — is replaced by a new id: 32
// lowercase hex digits (128 bits from a per-thread generator seeded by the
// OS), so a client can neither inject text into logs nor make two requests'
// ids collide by accident. The id is returned on every response.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace imgflo::http {

inline constexpr size_t kMaxRequestIdLength = 128;
inline constexpr size_t kGeneratedRequestIdLength = 32;

// True when `id` may be kept as the request's id (see above).
bool valid_request_id(std::string_view id);

// A request's id, held without allocation (the hot path has one per request).
class RequestId {
 public:
  // Keeps `received` (the request's X-Request-Id, "" when absent) when valid,
  // else makes a new id.
  void assign(std::string_view received);
  std::string_view view() const { return {buf_, len_}; }

 private:
  char buf_[kMaxRequestIdLength];
  size_t len_ = 0;
};

}  // namespace imgflo::http
