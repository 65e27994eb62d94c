// Result storage in an S3 bucket (AWS or an S3-compatible server), signed with Signature V4
// through libcurl. Objects are stored as FOLDER/KEY with the result's Content-Type and the
// configured Cache-Control; the location of a result is PUBLIC_BASE/FOLDER/KEY (S3Config).
//
// put() is atomic by S3's semantics: a PUT either stores the whole object or nothing, and
// readers see the old or the new object, never a mix. A put() that returns a location has been
// acknowledged by S3 with a 2xx status; anything else is an error:
//   kUnavailable  no answer (connect failure, timeout) or a 5xx, after the configured retries
//   kForbidden    401/403: wrong secret (SignatureDoesNotMatch), unknown key id
//                 (InvalidAccessKeyId), missing permission (AccessDenied)
//   kNotFound     get()/head() of an absent object
//   kInternal     invalid key, other 4xx (e.g. NoSuchBucket), an object over max_object_bytes
// Messages name the method, bucket and object key, the HTTP status and S3's error code and
// message; they never contain the secret.
//
// Retries: network errors and 5xx answers are retried up to max_attempts with doubling backoff;
// 4xx answers are final. Thread-safe; calls block (network) and belong on worker threads.
#pragma once

#include "storage/s3_config.h"
#include "storage/storage.h"

#include <memory>

namespace imgflo::storage {

namespace s3 {
class Http;
struct Request;
struct Response;
}  // namespace s3

// What a HEAD tells about a stored object.
struct S3ObjectInfo {
  unsigned long long size = 0;
  std::string content_type;
  std::string cache_control;
  std::string etag;
};

class S3Storage final : public Storage {
 public:
  // Validates the configuration (kInvalidArgument listing all problems) and initialises libcurl
  // (call before starting threads). Does not contact S3.
  static Result<std::unique_ptr<S3Storage>> create(S3Config config);
  ~S3Storage() override;

  Result<std::string> put(const std::string& key, std::string_view bytes, std::string_view content_type) override;
  Result<std::string> get(const std::string& key) override;
  std::string location(const std::string& key) const override;

  // Metadata of a stored object; kNotFound when absent.
  Result<S3ObjectInfo> head(const std::string& key);
  // true/false for present/absent; errors as head().
  Result<bool> exists(const std::string& key) override;
  // One HEAD of the bucket within `timeout` (no retry): ok on 2xx, kForbidden
  // on 401/403, else kUnavailable (no answer, NoSuchBucket, 5xx).
  Status ping(std::chrono::milliseconds timeout) override;

  const S3Config& config() const { return config_; }

 private:
  explicit S3Storage(S3Config config);
  // Sends with retries; the final answer (any status) or kUnavailable.
  Result<s3::Response> send(const s3::Request& request, const std::string& what);
  // The error for a non-2xx answer; a 404 is kNotFound when `reading` (GET/HEAD of an object).
  Error status_error(const s3::Response& response, const std::string& what, bool reading) const;
  // "PUT imgflo-test/p/KEY" for messages.
  std::string describe(const char* method, const std::string& key) const;

  const S3Config config_;
  std::unique_ptr<s3::Http> http_;
};

}  // namespace imgflo::storage
