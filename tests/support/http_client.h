// A minimal blocking HTTP client for tests (libcurl): never follows
// redirects unless asked, returns status, headers and body.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace imgflo::test {

struct HttpResult {
  int status = 0;  // 0 = transport failure (see error)
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
  std::string error;
  double seconds = 0;
  std::string header(const std::string& name) const;
  nlohmann::json json() const;  // body parsed; throws if not JSON
};

struct HttpOptions {
  std::string method = "GET";
  std::vector<std::string> headers;  // "Name: value"
  bool follow = false;
  std::chrono::milliseconds timeout{60'000};
};

HttpResult http(const std::string& url, const HttpOptions& options = {});
inline HttpResult http_get(const std::string& url) { return http(url); }

}  // namespace imgflo::test
