#include "http/app_metrics.h"

#include "core/clock.h"

#include <spdlog/spdlog.h>

#include <functional>

namespace imgflo::http {

namespace {

std::atomic<uint64_t> next_app_metrics_id{1};

// A thread's recently used apps, direct-mapped by the hash of (instance, key).
struct AppSlot {
  uint64_t owner = 0;  // AppMetrics id_; 0 = empty
  std::string app;
  const void* counters = nullptr;
};
constexpr size_t kAppSlots = 64;

}  // namespace

std::string_view app_outcome_name(AppMetrics::Outcome outcome) {
  switch (outcome) {
    case AppMetrics::Outcome::kHit: return "hit";
    case AppMetrics::Outcome::kProcessed: return "processed";
    case AppMetrics::Outcome::kForbidden: return "forbidden";
    case AppMetrics::Outcome::kOverQuota: return "over_quota";
  }
  return "other";
}

AppMetrics::AppMetrics()
    : id_(next_app_metrics_id++),
      requests_("imgflo_app_requests_total",
                "Graph requests of each app (label app = its key) by outcome: hit (a cached result, not counting the "
                "hot path), processed (sent to processing), forbidden (processing refused: quota <= 0), over_quota "
                "(429).",
                {"app", "outcome"}),
      processed_("imgflo_app_processed_total",
                 "Images processed for each app: GETs answered with a new result, POSTs accepted.", {"app"}),
      unavailable_("imgflo_quota_unavailable_total",
                   "Processing requests allowed without a quota decision (the quota counter was unreachable).") {}

const AppMetrics::AppCounters& AppMetrics::counters(std::string_view app) {
  thread_local std::array<AppSlot, kAppSlots> slots;
  AppSlot& slot = slots[(std::hash<std::string_view>{}(app) ^ id_) % kAppSlots];
  if (slot.owner == id_ && slot.app == app) return *static_cast<const AppCounters*>(slot.counters);
  std::lock_guard lock(mu_);
  auto [it, fresh] = apps_.try_emplace(std::string(app));
  if (fresh) {
    auto c = std::make_unique<AppCounters>();
    for (size_t o = 0; o < kOutcomes; ++o) {
      c->requests[o] = &requests_.with({app, app_outcome_name(static_cast<Outcome>(o))});
    }
    c->processed = &processed_.with({app});
    it->second = std::move(c);
  }
  slot.owner = id_;
  slot.app.assign(app);
  slot.counters = it->second.get();
  return *it->second;
}

void AppMetrics::count(std::string_view app, Outcome outcome) {
  if (!app.empty()) counters(app).requests[static_cast<size_t>(outcome)]->inc();
}

void AppMetrics::processed(std::string_view app) {
  if (!app.empty()) counters(app).processed->inc();
}

void AppMetrics::quota_unavailable(const Error& why) {
  unavailable_.with({}).inc();
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(system_clock().now().time_since_epoch()).count();
  int64_t last = last_log_s_.load(std::memory_order_relaxed);
  if (now - last < kLogInterval.count() || !last_log_s_.compare_exchange_strong(last, now)) return;
  spdlog::warn("processing quota not checked (requests are allowed meanwhile): {}", why.message());
}

uint64_t AppMetrics::requests(std::string_view app, Outcome outcome) const {
  std::lock_guard lock(mu_);
  auto it = apps_.find(std::string(app));
  return it == apps_.end() ? 0 : it->second->requests[static_cast<size_t>(outcome)]->value();
}

void AppMetrics::render(std::string& out) const {
  requests_.render(out);
  processed_.render(out);
  unavailable_.render(out);
}

}  // namespace imgflo::http
