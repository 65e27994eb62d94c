// Per-app series for GET /metrics, labelled with the app key:
//   imgflo_app_requests_total{app,outcome}  outcome: hit (a cached result,
//       full path), processed (a miss sent to processing), forbidden (a
//       processing request of an app whose quota is <= 0: cached results
//       only), over_quota (429)
//   imgflo_app_processed_total{app}  images processed for the app: GETs whose
//       job answered with a stored result, POSTs the job system accepted
//       (their outcome is not observed here)
//   imgflo_quota_unavailable_total  quota decisions that could not be made
//       (the counter's Redis down or slow): those requests were allowed
//       (fail open); the first one, then at most one a minute, is logged
//
// Callers pass only keys of apps the Authenticator accepted (never a key
// read from an unauthenticated URL), so the label values are bounded by the
// apps known during the process's life (a family never forgets a child).
// Requests answered by the hot path (http/hot_responses.h: repeats of a
// cached GET, never parsed) are not in these series; imgflo_cache_hits_total
// has them.
//
// Cost: a thread looks its app's counters up in a small per-thread table
// (no lock once warm; the first request of an app on a thread takes the
// mutex), then increments its own cells (core/metrics.h). Thread-safe.
#pragma once

#include "core/error.h"
#include "core/metrics.h"

#include <array>
#include <chrono>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace imgflo::http {

class AppMetrics {
 public:
  enum class Outcome : uint8_t { kHit, kProcessed, kForbidden, kOverQuota };
  static constexpr size_t kOutcomes = 4;
  static constexpr std::chrono::seconds kLogInterval{60};

  AppMetrics();
  AppMetrics(const AppMetrics&) = delete;
  AppMetrics& operator=(const AppMetrics&) = delete;

  // One request of app `app` ("" — auth off — is not counted).
  void count(std::string_view app, Outcome outcome);
  // One image processed for `app` ("" is not counted).
  void processed(std::string_view app);
  // A quota decision failed with `why`; the request goes on (fail open).
  void quota_unavailable(const Error& why);

  // The value of one series (tests).
  uint64_t requests(std::string_view app, Outcome outcome) const;

  // Appends the series above in Prometheus text format.
  void render(std::string& out) const;

 private:
  struct AppCounters {
    std::array<metrics::Counter*, kOutcomes> requests{};
    metrics::Counter* processed = nullptr;
  };
  // `app`'s counters (created on first use); never null.
  const AppCounters& counters(std::string_view app);

  const uint64_t id_;  // tells this instance's entries apart in the per-thread tables
  metrics::CounterFamily requests_;
  metrics::CounterFamily processed_;
  metrics::CounterFamily unavailable_;
  std::atomic<int64_t> last_log_s_{-1'000'000};  // steady seconds of the last unavailable log line

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<AppCounters>> apps_;  // guarded by mu_; entries never removed
};

std::string_view app_outcome_name(AppMetrics::Outcome outcome);

}  // namespace imgflo::http
