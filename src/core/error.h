// Error values shared by every part of imgflo-server.
//
// An Error is made once, where the failure happens, and carries everything the
// edge needs to answer a client: a kind (which fixes the HTTP status), a
// client-safe message and optional structured details that are merged into the
// JSON body. Nothing upstream inspects message text; callers branch on kind().
//
// Result<T> holds either a T or an Error. It is a plain value type: cheap to
// move, safe to hand across threads (no exceptions cross thread or queue
// boundaries in this code base).
#pragma once

#include <nlohmann/json.hpp>

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace imgflo {

enum class ErrorKind {
  kInvalidArgument,       // 400 malformed request or parameter value
  kForbidden,             // 403 authentication / SSRF refusal
  kQuotaExceeded,         // 429 the app's processing quota is used up; retry later
  kNotFound,              // 404 unknown graph, absent cache entry
  kUnsupportedType,       // 449 output/input type the runtime cannot handle
  kUnknownParameter,      // 449 parameter the graph does not export
  kTooLarge,              // 422 requested or decoded size over a limit
  kUndecodable,           // 422 input bytes are not a supported, intact image
  kGraphInvalid,          // 500 graph file malformed or uses unknown components
  kProcessingFailed,      // 500 an op failed while running
  kInternal,              // 500 anything else that is our fault
  kOverloaded,            // 503 queue full; retry later
  kUnavailable,           // 503 a backing service is down
  kDownloadFailed,        // 504 the input could not be fetched
  kTimeout,               // 504 the request deadline expired
  kCancelled,             // 499-like: the work was cancelled (nobody waits)
  kVideoLane,             // internal: the job's input is a video; job systems move it to the video lane
                          // (jobs/job.h, Lane) and its waiters keep waiting. 500 if it ever leaked.
};

// HTTP status for a kind (kCancelled maps to 503, kVideoLane to 500: the client never sees them).
int http_status(ErrorKind kind);
// Stable machine-readable name ("timeout", "unknown-parameter", ...).
std::string_view kind_name(ErrorKind kind);
// The kind of a kind_name() (errors travelling between processes); nullopt when unknown.
std::optional<ErrorKind> kind_from_name(std::string_view name);

class Error {
 public:
  // `message` and the strings in `details` are made valid UTF-8 here (bytes
  // of a request or an input often end up in them).
  Error(ErrorKind kind, std::string message, nlohmann::json details = nullptr);

  ErrorKind kind() const { return kind_; }
  int status() const { return http_status(kind_); }
  const std::string& message() const { return message_; }
  // Extra JSON members for the response body (an object, or null).
  const nlohmann::json& details() const { return details_; }

  // {"error": message, "code": status, "type": kind_name, ...details}
  nlohmann::json to_json() const;

 private:
  ErrorKind kind_;
  std::string message_;
  nlohmann::json details_;
};

// Either a value or an Error. Access to the wrong alternative is a bug (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  Error&& take_error() { assert(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Result for operations that produce nothing but may fail.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace imgflo
