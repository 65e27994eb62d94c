// The per-app series of /metrics (http/app_metrics.h): every outcome of an
// app exposed from its first request, valid exposition text, "" (auth off)
// never a label, two instances on one thread kept apart, exact sums from
// several threads, and the fail-open counter.
#include "http/app_metrics.h"

#include "support/prometheus_text.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace imgflo::http {
namespace {

using Outcome = AppMetrics::Outcome;

test::PromExposition parse(const AppMetrics& m) {
  std::string text;
  m.render(text);
  auto parsed = test::parse_exposition(text);
  EXPECT_TRUE(parsed.error.empty()) << parsed.error << "\n" << text;
  return parsed.exposition;
}

TEST(AppMetrics, EveryOutcomeOfAnAppIsExposedFromItsFirstRequest) {
  AppMetrics m;
  m.count("0123456789abcde", Outcome::kHit);
  m.count("0123456789abcde", Outcome::kHit);
  m.count("0123456789abcde", Outcome::kOverQuota);
  m.processed("0123456789abcde");
  const auto e = parse(m);
  const auto requests = [&](const char* outcome) {
    return e.sum("imgflo_app_requests_total", {{"app", "0123456789abcde"}, {"outcome", outcome}});
  };
  EXPECT_EQ(requests("hit"), 2);
  EXPECT_EQ(requests("over_quota"), 1);
  EXPECT_EQ(requests("processed"), 0);
  EXPECT_EQ(requests("forbidden"), 0);
  EXPECT_EQ(e.sum("imgflo_app_processed_total", {{"app", "0123456789abcde"}}), 1);
  EXPECT_EQ(e.types.at("imgflo_app_requests_total"), "counter");
  EXPECT_EQ(e.sum("imgflo_quota_unavailable_total"), 0);
  EXPECT_EQ(m.requests("0123456789abcde", Outcome::kHit), 2u);
}

TEST(AppMetrics, RequestsWithoutAnAppAreNotCounted) {
  AppMetrics m;
  m.count("", Outcome::kProcessed);
  m.processed("");
  const auto e = parse(m);
  EXPECT_FALSE(e.sum("imgflo_app_requests_total").has_value());
  EXPECT_FALSE(e.sum("imgflo_app_processed_total").has_value());
}

TEST(AppMetrics, TwoInstancesOnOneThreadCountApart) {
  auto first = std::make_unique<AppMetrics>();
  first->count("a", Outcome::kHit);
  AppMetrics second;
  second.count("a", Outcome::kHit);
  second.count("a", Outcome::kHit);
  EXPECT_EQ(first->requests("a", Outcome::kHit), 1u);
  EXPECT_EQ(second.requests("a", Outcome::kHit), 2u);
  first.reset();  // a later instance may reuse its address: the thread's table must not mix them up
  auto third = std::make_unique<AppMetrics>();
  third->count("a", Outcome::kForbidden);
  EXPECT_EQ(third->requests("a", Outcome::kForbidden), 1u);
  EXPECT_EQ(third->requests("a", Outcome::kHit), 0u);
}

TEST(AppMetrics, ThreadsSumExactly) {
  AppMetrics m;
  constexpr int kThreads = 4, kEach = 10'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < kEach; ++i) m.count(i % 2 ? "odd" : "even", t % 2 ? Outcome::kHit : Outcome::kProcessed);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.requests("odd", Outcome::kHit) + m.requests("odd", Outcome::kProcessed), kThreads * kEach / 2u);
  EXPECT_EQ(m.requests("even", Outcome::kHit), kEach);
}

TEST(AppMetrics, QuotaUnavailableIsCounted) {
  AppMetrics m;
  m.quota_unavailable(Error(ErrorKind::kUnavailable, "Redis down"));
  m.quota_unavailable(Error(ErrorKind::kUnavailable, "Redis down"));
  EXPECT_EQ(parse(m).sum("imgflo_quota_unavailable_total"), 2);
}

}  // namespace
}  // namespace imgflo::http
