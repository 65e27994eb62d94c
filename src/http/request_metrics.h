// Request metrics for GET /metrics: a latency histogram by route, status
// class and cache outcome (core/metrics.h), whose total count is
// imgflo_http_requests_total.
//
// Every answered request is recorded once, when its response is handed to
// the socket (hot-path answers, errors the transport writes itself and
// /metrics scrapes included), so the count is the number of requests
// answered. Latency runs from the request's last byte read to that moment.
//
// Threads: record() may be called from any thread; after a series' first
// request it takes no lock and writes only the calling thread's cells (the
// histograms are sharded per thread), so event-loop threads never share a
// written cache line. Readers may run on any thread at any time.
#pragma once

#include "core/metrics.h"
#include "http/message.h"
#include "http/request_target.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace imgflo::http {

class RequestMetrics {
 public:
  static constexpr const char* kHistogram = "imgflo_http_request_duration_seconds";
  // Upper bounds in seconds (+Inf implied): sub-millisecond hot-path answers to the 30 s request timeout.
  static const std::vector<double>& buckets();

  RequestMetrics();
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  void record(Route route, int status, CacheOutcome cache, std::chrono::nanoseconds latency);

  // Requests recorded, in all or with one cache outcome.
  uint64_t requests() const;
  uint64_t requests(CacheOutcome cache) const;

  // Appends the histogram in Prometheus text format (series with no request are left out).
  void render(std::string& out) const;

 private:
  static constexpr size_t kStatusClasses = 5;  // 1xx .. 5xx
  static constexpr size_t kCacheOutcomes = 4;
  static constexpr size_t kSeries = kRouteCount * kStatusClasses * kCacheOutcomes;
  static size_t series(Route route, int status, CacheOutcome cache);

  metrics::HistogramFamily family_;
  // Each series' child of family_, looked up on its first request (with() takes the family's lock).
  std::array<std::atomic<metrics::Histogram*>, kSeries> series_{};
};

}  // namespace imgflo::http
