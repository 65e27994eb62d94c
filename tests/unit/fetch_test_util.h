// Helpers shared by the fetcher tests.
#pragma once

#include "fetch/curl_fetcher.h"
#include "support/test_origin.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace imgflo::fetch::testing_util {

// A CurlFetcher whose allow-list is `allow` ("" = the default policy).
inline CurlFetcher make_fetcher(const std::string& allow, std::vector<std::string> resolve = {}) {
  CurlFetcher::Config config;
  auto policy = AddressPolicy::from_allow_list(allow);
  EXPECT_TRUE(policy.ok());
  if (policy.ok()) config.policy = std::move(policy).value();
  config.resolve = std::move(resolve);
  return CurlFetcher(std::move(config));
}

inline FetchOptions fast_options() {
  FetchOptions o;
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.total_timeout = std::chrono::milliseconds(5000);
  return o;
}

// Milliseconds since `start`.
inline long long ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

// n bytes of a fixed, non-repeating-looking pattern (binary, includes NULs).
inline std::string pattern_bytes(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) & 0xff);
  return s;
}

// A local origin on 127.0.0.1 and a fetcher that allow-lists exactly it.
class CurlFetch : public ::testing::Test {
 protected:
  Result<Fetched> get(const std::string& path, FetchOptions options = fast_options(), Stop stop = {}) {
    return fetcher_.fetch(origin_.url(path), options, stop);
  }
  test::TestOrigin origin_;
  CurlFetcher fetcher_ = make_fetcher("127.0.0.1/32");
};

}  // namespace imgflo::fetch::testing_util
