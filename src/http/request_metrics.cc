#include "http/request_metrics.h"

#include <algorithm>

namespace imgflo::http {

namespace {

constexpr std::array<std::string_view, 5> kStatusNames = {"1xx", "2xx", "3xx", "4xx", "5xx"};

size_t status_class(int status) { return static_cast<size_t>(std::clamp(status / 100, 1, 5) - 1); }

}  // namespace

const std::vector<double>& RequestMetrics::buckets() {
  static const std::vector<double> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                             0.25,   0.5,   1,      2.5,   5,     10,   30};
  return bounds;
}

RequestMetrics::RequestMetrics()
    : family_(kHistogram,
              "Seconds from a request's last byte read to its response being written, by route, status class and "
              "cache outcome (hit, miss, hot: the prepared hot-path answer, none).",
              {"route", "status", "cache"}, buckets()) {}

size_t RequestMetrics::series(Route route, int status, CacheOutcome cache) {
  return (static_cast<size_t>(route) * kStatusClasses + status_class(status)) * kCacheOutcomes +
         static_cast<size_t>(cache);
}

void RequestMetrics::record(Route route, int status, CacheOutcome cache, std::chrono::nanoseconds latency) {
  auto& slot = series_[series(route, status, cache)];
  metrics::Histogram* h = slot.load(std::memory_order_acquire);
  if (!h) {
    h = &family_.with({route_name(route), kStatusNames[status_class(status)], cache_outcome_name(cache)});
    slot.store(h, std::memory_order_release);
  }
  h->observe(std::chrono::duration<double>(latency).count());
}

uint64_t RequestMetrics::requests() const {
  uint64_t n = 0;
  for (const auto& slot : series_) {
    if (const metrics::Histogram* h = slot.load(std::memory_order_acquire)) n += h->snapshot().count;
  }
  return n;
}

uint64_t RequestMetrics::requests(CacheOutcome cache) const {
  uint64_t n = 0;
  for (size_t s = static_cast<size_t>(cache); s < kSeries; s += kCacheOutcomes) {
    if (const metrics::Histogram* h = series_[s].load(std::memory_order_acquire)) n += h->snapshot().count;
  }
  return n;
}

void RequestMetrics::render(std::string& out) const { family_.render(out); }

}  // namespace imgflo::http
