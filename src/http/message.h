// Transport-neutral HTTP messages: what the Beast session hands the handler
// and what it writes back. Keeping Beast out of the handler lets routing be
// unit-tested without sockets (and keeps Beast in one translation unit).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace imgflo::http {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "POST", ...
  std::string target;  // path + query, as received
  std::string host;    // Host header ("" if absent)
  std::string if_none_match;
  std::string accept;  // Accept header ("" if absent): negotiates requests without extension
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  HttpResponse& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  static HttpResponse json(int status, const nlohmann::json& body);
  static HttpResponse redirect(int status, const std::string& location);
};

// Completes a request. Must be called exactly once; may be called from any
// thread (the transport hops back to the connection's event-loop thread).
using Respond = std::function<void(HttpResponse)>;

}  // namespace imgflo::http
