#include "core/error.h"

#include "core/json.h"
#include "core/text.h"

namespace imgflo {

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return 400;
    case ErrorKind::kForbidden: return 403;
    case ErrorKind::kQuotaExceeded: return 429;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kUnsupportedType: return 449;
    case ErrorKind::kUnknownParameter: return 449;
    case ErrorKind::kTooLarge: return 422;
    case ErrorKind::kUndecodable: return 422;
    case ErrorKind::kGraphInvalid: return 500;
    case ErrorKind::kProcessingFailed: return 500;
    case ErrorKind::kInternal: return 500;
    case ErrorKind::kOverloaded: return 503;
    case ErrorKind::kUnavailable: return 503;
    case ErrorKind::kDownloadFailed: return 504;
    case ErrorKind::kTimeout: return 504;
    case ErrorKind::kCancelled: return 503;
    case ErrorKind::kVideoLane: return 500;
  }
  return 500;
}

std::string_view kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return "invalid-argument";
    case ErrorKind::kForbidden: return "forbidden";
    case ErrorKind::kQuotaExceeded: return "quota-exceeded";
    case ErrorKind::kNotFound: return "not-found";
    case ErrorKind::kUnsupportedType: return "unsupported-image-type";
    case ErrorKind::kUnknownParameter: return "unknown-parameter";
    case ErrorKind::kTooLarge: return "too-large";
    case ErrorKind::kUndecodable: return "undecodable-image";
    case ErrorKind::kGraphInvalid: return "invalid-graph";
    case ErrorKind::kProcessingFailed: return "processing-failed";
    case ErrorKind::kInternal: return "internal";
    case ErrorKind::kOverloaded: return "overloaded";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kDownloadFailed: return "download-failed";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kCancelled: return "cancelled";
    case ErrorKind::kVideoLane: return "video-lane";
  }
  return "internal";
}

std::optional<ErrorKind> kind_from_name(std::string_view name) {
  for (int k = 0; k <= static_cast<int>(ErrorKind::kVideoLane); ++k) {
    const auto kind = static_cast<ErrorKind>(k);
    if (kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

Error::Error(ErrorKind kind, std::string message, nlohmann::json details)
    : kind_(kind), message_(valid_utf8(message)), details_(valid_utf8_json(std::move(details))) {}

nlohmann::json Error::to_json() const {
  nlohmann::json body = nlohmann::json::object();
  if (details_.is_object()) body = details_;
  body["error"] = message_;
  body["code"] = status();
  body["type"] = std::string(kind_name(kind_));
  return body;
}

}  // namespace imgflo
