// Shared helpers of the end-to-end suites (real imgflo-server over HTTP).
#pragma once

#include "core/query.h"
#include "support/http_client.h"
#include "support/server_process.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <set>
#include <vector>
#include <regex>
#include <sstream>
#include <thread>
#include <string>

namespace imgflo::test {

// A counter or gauge from GET /metrics.
inline uint64_t metric(const ServerProcess& server, const std::string& name) {
  const HttpResult r = http_get(server.url("/metrics"));
  const std::regex line("(^|\n)" + name + " ([0-9]+)");
  std::smatch m;
  if (!std::regex_search(r.body, m, line)) return UINT64_MAX;
  return std::stoull(m[2]);
}

// The path part of an absolute Location ("http://h:p/cache/x" -> "/cache/x").
inline std::string location_path(const std::string& location) {
  const size_t scheme = location.find("://");
  const size_t slash = location.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? location : location.substr(slash);
}

// A Location as a client resolves it: absolute URLs as they are, paths
// against the server that answered.
inline std::string resolve(const ServerProcess& server, const std::string& location) {
  return location.starts_with("/") ? server.url(location) : location;
}

// Waits for every response; each must be a 301. Returns the distinct Locations.
inline std::set<std::string> all_redirects(std::vector<std::future<HttpResult>>& results) {
  std::set<std::string> locations;
  for (auto& f : results) {
    const HttpResult r = f.get();
    EXPECT_EQ(r.status, 301) << r.body;
    locations.insert(r.header("location"));
  }
  return locations;
}

// The lines of `text`.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The server's JSON log lines whose message is "access", once there are `n`
// (waits up to 5 s for the loops to flush them).
inline std::vector<nlohmann::json> access_lines(const ServerProcess& server, size_t n) {
  std::vector<nlohmann::json> found;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  do {
    found.clear();
    for (const auto& line : lines_of(server.log())) {
      if (line.starts_with("{") && line.find("\"message\":\"access\"") != std::string::npos) {
        found.push_back(nlohmann::json::parse(line));
      }
    }
    if (found.size() >= n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling the log file for lines the server writes
  } while (std::chrono::steady_clock::now() < until);
  return found;
}

// "input=" value for a URL (percent-encoded like clients do).
inline std::string input_param(const std::string& url) { return "input=" + percent_encode(url); }

}  // namespace imgflo::test
