// Internal to S3Storage: one S3 request over libcurl, signed with AWS Signature V4 by libcurl
// itself (CURLOPT_AWS_SIGV4 "aws:amz:REGION:s3", key and secret as user name and password).
//
// libcurl 7.88 details this code relies on:
//  - libcurl does not send x-amz-content-sha256, which S3 requires; we add it (hex SHA-256 of
//    the body) and libcurl signs it, and uses its value as the payload hash.
//  - Every header passed is signed, so no "Expect:" suppression header is added (libcurl would
//    sign it but not send it, and the signature would not match).
//  - PUT is a real upload (CURLOPT_UPLOAD from memory, rewindable); the caller passes
//    Content-Type explicitly (with POSTFIELDS libcurl would pick a form type that moto parses).
//  - HEAD uses CURLOPT_NOBODY; response header names are compared case-insensitively (moto
//    sends them in lower case).
//
// Thread-safe: each send() uses its own easy handle, taken from a small pool so connections are
// reused (a handle keeps its connection cache across curl_easy_reset).
#pragma once

#include "core/error.h"
#include "storage/s3_config.h"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::storage::s3 {

struct Request {
  enum class Method { kGet, kPut, kHead };
  Method method = Method::kGet;
  std::string url;
  std::string_view body;             // kPut only; must outlive send()
  std::vector<std::string> headers;  // "Name: value", signed
  std::chrono::milliseconds timeout{0};  // the whole request (connect included); 0 = the configured timeouts
};

struct Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  const std::string* header(const std::string& lower_name) const;
};

// The failure of a request that got no HTTP answer (or an answer too large to keep).
struct TransportError {
  std::string message;    // libcurl's description
  bool too_large = false; // the body passed the configured limit
};

class Http {
 public:
  explicit Http(const S3Config& config);
  ~Http();
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // One attempt. `out` holds the answer when the result is empty (any HTTP status); otherwise the
  // returned error says why no answer came.
  std::optional<TransportError> send(const Request& request, Response& out);

  static const char* method_name(Request::Method m);

 private:
  struct Handle;
  std::unique_ptr<Handle> take();
  void give_back(std::unique_ptr<Handle> h);

  const S3Config& config_;  // owned by S3Storage, outlives this
  const std::string provider_;
  static constexpr size_t kMaxIdleHandles = 8;  // connections kept open between requests

  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_;  // guarded by mu_
};

// <Code> and <Message> of an S3 XML error body (empty when absent).
struct XmlError {
  std::string code;
  std::string message;
};
XmlError parse_xml_error(std::string_view body);

// libcurl's global initialisation, once per process (call before starting threads).
Status init_curl();

}  // namespace imgflo::storage::s3
