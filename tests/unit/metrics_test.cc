// The Prometheus primitives (core/metrics.h): exact exposition text, the text
// format's rules (tests/support/prometheus_text.h), escaping, histogram
// buckets, and concurrent updates from many threads summing exactly.
#include "core/metrics.h"

#include "support/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

namespace imgflo::metrics {
namespace {

std::string render(const CounterFamily& f) {
  std::string out;
  f.render(out);
  return out;
}

std::string render(const HistogramFamily& f) {
  std::string out;
  f.render(out);
  return out;
}

TEST(Metrics, AnUnlabelledCounterIsExposedAtZeroBeforeItsFirstUpdate) {
  CounterFamily c("imgflo_things_total", "Things done.");
  EXPECT_EQ(render(c), "# HELP imgflo_things_total Things done.\n# TYPE imgflo_things_total counter\n"
                       "imgflo_things_total 0\n");
  c.with({}).inc();
  c.with({}).inc(41);
  EXPECT_EQ(c.with({}).value(), 42u);
}

TEST(Metrics, LabelledChildrenAreRenderedInLabelOrderWithEscapedValues) {
  CounterFamily c("imgflo_requests_total", "Requests\\answered\nby route.", {"route", "status"});
  c.with({"graph", "3xx"}).inc(2);
  c.with({"a \"quoted\" \\ path\nx", "4xx"}).inc();
  c.with({"bad \xff utf8", "5xx"}).inc();
  EXPECT_EQ(render(c),
            "# HELP imgflo_requests_total Requests\\\\answered\\nby route.\n"
            "# TYPE imgflo_requests_total counter\n"
            "imgflo_requests_total{route=\"a \\\"quoted\\\" \\\\ path\\nx\",status=\"4xx\"} 1\n"
            "imgflo_requests_total{route=\"bad \xef\xbf\xbd utf8\",status=\"5xx\"} 1\n"
            "imgflo_requests_total{route=\"graph\",status=\"3xx\"} 2\n");
  const auto parsed = test::parse_exposition(render(c));
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.exposition.sum("imgflo_requests_total", {{"route", "a \"quoted\" \\ path\nx"}}), 1.0);
  EXPECT_EQ(parsed.exposition.help.at("imgflo_requests_total"), "Requests\\answered\nby route.");
}

TEST(Metrics, TheSameLabelValuesGiveTheSameChild) {
  CounterFamily c("c_total", "c", {"a"});
  Counter& first = c.with({"x"});
  EXPECT_EQ(&first, &c.with({"x"}));
  EXPECT_NE(&first, &c.with({"y"}));
}

TEST(Metrics, BadNamesAndLabelCountsAreProgrammingErrors) {
  EXPECT_THROW(CounterFamily("1abc", "h"), std::invalid_argument);
  EXPECT_THROW(CounterFamily("a-b", "h"), std::invalid_argument);
  EXPECT_THROW(CounterFamily("ok", "h", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(CounterFamily("ok", "h", {"le"}), std::invalid_argument);
  EXPECT_THROW(CounterFamily("ok", "h", {"a:b"}), std::invalid_argument);
  EXPECT_NO_THROW(CounterFamily("ns:ok_total", "h", {"_a1"}));
  EXPECT_THROW(HistogramFamily("h", "h", {}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(HistogramFamily("h", "h", {}, {1, INFINITY}), std::invalid_argument);
  CounterFamily c("c_total", "c", {"a", "b"});
  EXPECT_THROW(c.with({"x"}), std::invalid_argument);
}

TEST(Metrics, HistogramBucketsAreCumulativeWithUpperBoundsInclusive) {
  HistogramFamily h("imgflo_wait_seconds", "Waits.", {"graph"}, {0.1, 1, 2.5});
  Histogram& x = h.with({"x"});
  double sum = 0;
  for (double v : {0.05, 0.1, 0.5, 1.0, 3.0, 100.0}) {
    x.observe(v);
    sum += v;
  }
  x.observe(NAN);  // ignored
  EXPECT_EQ(render(h),
            "# HELP imgflo_wait_seconds Waits.\n# TYPE imgflo_wait_seconds histogram\n"
            "imgflo_wait_seconds_bucket{graph=\"x\",le=\"0.1\"} 2\n"
            "imgflo_wait_seconds_bucket{graph=\"x\",le=\"1\"} 4\n"
            "imgflo_wait_seconds_bucket{graph=\"x\",le=\"2.5\"} 4\n"
            "imgflo_wait_seconds_bucket{graph=\"x\",le=\"+Inf\"} 6\n"
            "imgflo_wait_seconds_sum{graph=\"x\"} " + format_value(sum) + "\n" +
            "imgflo_wait_seconds_count{graph=\"x\"} 6\n");
  EXPECT_EQ(test::parse_exposition(render(h)).error, "");
}

TEST(Metrics, AnUnlabelledHistogramHasEmptyBucketsBeforeItsFirstObservation) {
  HistogramFamily h("h_seconds", "h", {}, exponential_buckets(0.001, 10, 3));
  EXPECT_EQ(render(h),
            "# HELP h_seconds h\n# TYPE h_seconds histogram\n"
            "h_seconds_bucket{le=\"0.001\"} 0\nh_seconds_bucket{le=\"0.01\"} 0\nh_seconds_bucket{le=\"0.1\"} 0\n"
            "h_seconds_bucket{le=\"+Inf\"} 0\nh_seconds_sum 0\nh_seconds_count 0\n");
}

TEST(Metrics, ScrapeTimeValuesAndGaugesFollowTheFormat) {
  std::string out;
  write_counter(out, "a_total", "A.", 7);
  write_gauge(out, "b_bytes", "B.", 1.5);
  GaugeFamily g("c", "C.", {"k"});
  g.with({"v"}).set(3);
  g.with({"v"}).add(-0.5);
  g.render(out);
  EXPECT_EQ(out, "# HELP a_total A.\n# TYPE a_total counter\na_total 7\n"
                 "# HELP b_bytes B.\n# TYPE b_bytes gauge\nb_bytes 1.5\n"
                 "# HELP c C.\n# TYPE c gauge\nc{k=\"v\"} 2.5\n");
  EXPECT_EQ(test::parse_exposition(out).error, "");
  EXPECT_EQ(format_value(INFINITY), "+Inf");
  EXPECT_EQ(format_value(-INFINITY), "-Inf");
  EXPECT_EQ(format_value(NAN), "NaN");
  EXPECT_EQ(format_value(1e-9), "1e-09");
  EXPECT_EQ(format_value(4e15), "4000000000000000");  // bytes as integers, not 4e+15
  EXPECT_EQ(format_value(-0.25), "-0.25");
}

// The checker itself catches what the format forbids (so its "" above means something).
TEST(Metrics, TheFormatCheckerRefusesBrokenExpositions) {
  auto error = [](const std::string& text) { return test::parse_exposition(text).error; };
  EXPECT_NE(error("a 1"), "");                                     // no final newline
  EXPECT_NE(error("a{b=\"x\\t\"} 1\n"), "");                         // a bad escape
  EXPECT_NE(error("a 1\n# TYPE a counter\n"), "");                  // TYPE after samples
  EXPECT_NE(error("a 1\nb 1\na{x=\"1\"} 1\n"), "");                  // a family in two groups
  EXPECT_NE(error("a 1\na 2\n"), "");                               // a series twice
  EXPECT_NE(error("a one\n"), "");                                  // not a float
  EXPECT_NE(error("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"), "");
  EXPECT_NE(error("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"), "");
  EXPECT_NE(error("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"), "");
  EXPECT_EQ(error("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n"), "");
}

// Many threads (more than once each: their cells pass to later threads) update the same
// children; every update is in the sum, and a histogram's count matches its buckets.
TEST(Metrics, ConcurrentUpdatesFromManyThreadsSumExactly) {
  CounterFamily c("c_total", "c", {"k"});
  HistogramFamily h("h_seconds", "h", {"k"}, {0.5, 1.5});
  constexpr int kThreads = 8, kRounds = 3, kPerThread = 20'000;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        Counter& mine = c.with({"shared"});
        Histogram& hist = h.with({t % 2 ? "odd" : "even"});
        for (int i = 0; i < kPerThread; ++i) {
          mine.inc();
          hist.observe(i % 3);  // 0, 1, 2: one in each bucket
        }
      });
    }
    // Scrapes while the threads count.
    for (int i = 0; i < 20; ++i) EXPECT_EQ(test::parse_exposition(render(h)).error, "");
    for (auto& t : threads) t.join();
  }
  EXPECT_EQ(c.with({"shared"}).value(), uint64_t{kThreads} * kRounds * kPerThread);
  const Histogram::Snapshot even = h.with({"even"}).snapshot();
  const uint64_t per_label = uint64_t{kThreads / 2} * kRounds * kPerThread;
  EXPECT_EQ(even.count, per_label);
  EXPECT_EQ(even.buckets[0] + even.buckets[1] + even.buckets[2], per_label);
  EXPECT_EQ(even.buckets[0], uint64_t{kThreads / 2} * kRounds * ((kPerThread + 2) / 3));  // i % 3 == 0
  // Threads of a later round took over the cells of the threads that exited.
  EXPECT_LE(c.with({"shared"}).TEST_thread_cells(), size_t{kThreads});
  const auto parsed = test::parse_exposition(render(h));
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.exposition.sum("h_seconds_count"), 2.0 * per_label);
}

}  // namespace
}  // namespace imgflo::metrics
