#include "storage/s3_storage.h"

#include "storage/s3_http.h"

#include <spdlog/spdlog.h>

#include <thread>

namespace imgflo::storage {
namespace {

using s3::Request;
using s3::Response;

bool is_success(long status) { return status >= 200 && status < 300; }

// Removes every occurrence of `secret` (defensive: no answer should echo it).
std::string scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "***");
  }
  return text;
}

unsigned long long parse_size(const std::string* value) {
  if (value == nullptr) return 0;
  try {
    return std::stoull(*value);
  } catch (const std::exception&) {
    return 0;
  }
}

// "HTTP 403 SignatureDoesNotMatch: The request signature ..." from an answer.
std::string answer_text(const Response& r) {
  const s3::XmlError xml = s3::parse_xml_error(r.body);
  std::string text = "HTTP " + std::to_string(r.status);
  if (!xml.code.empty()) text += " " + xml.code;
  if (!xml.message.empty()) text += ": " + xml.message;
  if (xml.code.empty() && (r.status == 401 || r.status == 403))
    text += " (no error details, e.g. a HEAD answer: check AMAZON_API_ID, AMAZON_API_TOKEN and permissions)";
  return text;
}

std::string header_or_empty(const Response& r, const std::string& name) {
  const std::string* v = r.header(name);
  return v ? *v : std::string();
}

}  // namespace

S3Storage::S3Storage(S3Config config) : config_(std::move(config)), http_(std::make_unique<s3::Http>(config_)) {}
S3Storage::~S3Storage() = default;

Result<std::unique_ptr<S3Storage>> S3Storage::create(S3Config config) {
  if (Status valid = config.validate(); !valid) return valid.take_error();
  if (Status curl = s3::init_curl(); !curl) return curl.take_error();
  return std::unique_ptr<S3Storage>(new S3Storage(std::move(config)));
}

std::string S3Storage::location(const std::string& key) const {
  return config_.public_base() + "/" + config_.object_key(key);
}

std::string S3Storage::describe(const char* method, const std::string& key) const {
  return std::string("S3 ") + method + " " + config_.bucket + "/" + config_.object_key(key);
}

Result<std::string> S3Storage::put(const std::string& key, std::string_view bytes, std::string_view content_type) {
  if (!valid_key(key)) return Error(ErrorKind::kInternal, "S3 PUT: invalid storage key");
  Request request{Request::Method::kPut, config_.object_url(config_.object_key(key)), bytes, {}};
  request.headers.push_back("Content-Type: " +
                            std::string(content_type.empty() ? content_type_for_key(key) : content_type));
  if (!config_.cache_control.empty()) request.headers.push_back("Cache-Control: " + config_.cache_control);
  const std::string what = describe("PUT", key);
  auto response = send(request, what);
  if (!response) return response.take_error();
  if (!is_success(response->status)) return status_error(*response, what, false);
  return location(key);
}

Result<std::string> S3Storage::get(const std::string& key) {
  if (!valid_key(key)) return Error(ErrorKind::kNotFound, "no stored result (invalid key)");
  const std::string what = describe("GET", key);
  auto response = send(Request{Request::Method::kGet, config_.object_url(config_.object_key(key)), {}, {}}, what);
  if (!response) return response.take_error();
  if (!is_success(response->status)) return status_error(*response, what, true);
  return std::move(response->body);
}

Result<S3ObjectInfo> S3Storage::head(const std::string& key) {
  if (!valid_key(key)) return Error(ErrorKind::kNotFound, "no stored result (invalid key)");
  const std::string what = describe("HEAD", key);
  auto response = send(Request{Request::Method::kHead, config_.object_url(config_.object_key(key)), {}, {}}, what);
  if (!response) return response.take_error();
  if (!is_success(response->status)) return status_error(*response, what, true);
  return S3ObjectInfo{parse_size(response->header("content-length")), header_or_empty(*response, "content-type"),
                      header_or_empty(*response, "cache-control"), header_or_empty(*response, "etag")};
}

Result<bool> S3Storage::exists(const std::string& key) {
  auto info = head(key);
  if (info) return true;
  if (info.error().kind() == ErrorKind::kNotFound) return false;
  return info.take_error();
}

Status S3Storage::ping(std::chrono::milliseconds timeout) {
  Request request{Request::Method::kHead, config_.bucket_url(), {}, {}};
  request.timeout = timeout;
  const std::string what = "S3 HEAD bucket " + config_.bucket;
  Response response;
  if (const auto failure = http_->send(request, response)) {
    return Error(ErrorKind::kUnavailable, scrub(what + ": " + failure->message, config_.secret_access_key));
  }
  if (is_success(response.status)) return ok_status();
  const Error e = status_error(response, what, false);
  return Error(e.kind() == ErrorKind::kForbidden ? ErrorKind::kForbidden : ErrorKind::kUnavailable, e.message());
}

Result<Response> S3Storage::send(const Request& request, const std::string& what) {
  auto backoff = config_.retry_backoff;
  std::string last_problem;
  for (int attempt = 1;; ++attempt) {
    Response response;
    const auto failure = http_->send(request, response);
    if (failure && failure->too_large) return Error(ErrorKind::kInternal, what + ": " + failure->message);
    if (!failure && response.status < 500) return response;
    last_problem = failure ? failure->message : answer_text(response);
    if (attempt >= config_.max_attempts) break;
    spdlog::warn("{} failed (attempt {} of {}): {}; retrying in {} ms", what, attempt, config_.max_attempts,
                 scrub(last_problem, config_.secret_access_key), backoff.count());
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
  return Error(ErrorKind::kUnavailable,
               scrub(what + " failed after " + std::to_string(config_.max_attempts) + " attempt(s): " + last_problem,
                     config_.secret_access_key));
}

Error S3Storage::status_error(const Response& response, const std::string& what, bool reading) const {
  const std::string message = scrub(what + ": " + answer_text(response), config_.secret_access_key);
  const long s = response.status;
  const bool absent = s == 404 && reading && s3::parse_xml_error(response.body).code != "NoSuchBucket";
  if (absent) return Error(ErrorKind::kNotFound, message);
  if (s == 401 || s == 403) return Error(ErrorKind::kForbidden, message);
  if (s >= 500) return Error(ErrorKind::kUnavailable, message);
  return Error(ErrorKind::kInternal, message);
}

}  // namespace imgflo::storage
