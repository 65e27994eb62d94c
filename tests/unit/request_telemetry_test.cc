// What the transport records per request: routes, redacted targets, request
// ids, the latency histogram and the access log's batching.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "core/log_format.h"
#include "http/access_log.h"
#include "http/request_id.h"
#include "http/request_metrics.h"
#include "http/request_target.h"

namespace imgflo::http {
namespace {

using namespace std::chrono_literals;

std::string redacted(std::string_view target) {
  std::string out;
  append_redacted_target(out, target);
  return out;
}

TEST(RequestTarget, Routes) {
  EXPECT_EQ(route_of("/graph/crop?input=x"), Route::kGraph);
  EXPECT_EQ(route_of("/graph/K/T/crop.png"), Route::kGraph);
  EXPECT_EQ(route_of("/cache/abc.png"), Route::kCache);
  EXPECT_EQ(route_of("/graphs"), Route::kGraphs);
  EXPECT_EQ(route_of("/graphs?x=1"), Route::kGraphs);
  EXPECT_EQ(route_of("/version"), Route::kVersion);
  EXPECT_EQ(route_of("/health"), Route::kHealth);
  EXPECT_EQ(route_of("/ready"), Route::kReady);
  EXPECT_EQ(route_of("/metrics"), Route::kMetrics);
  for (const char* other : {"/", "/graph", "/graphsx", "/files/a.jpg", "", "*", "/metrics/x"}) {
    EXPECT_EQ(route_of(other), Route::kOther) << other;
  }
  EXPECT_EQ(route_name(Route::kGraph), "graph");
  EXPECT_EQ(route_name(Route::kOther), "other");
}

TEST(RequestTarget, SignedUrlsLoseTheirToken) {
  EXPECT_EQ(redacted("/graph/appkey/0123456789abcdef/crop.png?input=files%2Fa.jpg&x=1"),
            "/graph/appkey/-/crop.png?input=files%2Fa.jpg&x=1");
  EXPECT_EQ(app_key_of("/graph/appkey/0123456789abcdef/crop.png?input=x"), "appkey");
  EXPECT_EQ(redacted("/graph/crop.png?input=files%2Fa.jpg"), "/graph/crop.png?input=files%2Fa.jpg");
  EXPECT_EQ(app_key_of("/graph/crop.png?input=x"), "");
  EXPECT_EQ(app_key_of("/graph/a/b/c/d"), "") << "not a graph URL: kept, no key";
  EXPECT_EQ(redacted("/graph/a/b/c/d"), "/graph/a/b/c/d");
  EXPECT_EQ(redacted("/graph/k/t/crop?token=/graph/k/t/x"), "/graph/k/-/crop?token=/graph/k/t/x");
}

TEST(RequestTarget, UrlCredentialsAreRemovedRawOrEncoded) {
  EXPECT_EQ(redacted("/graph/crop?input=http%3A%2F%2Fuser%3Asecret%40example.com%2Fa.jpg&width=10"),
            "/graph/crop?input=http%3A%2F%2Fexample.com%2Fa.jpg&width=10");
  EXPECT_EQ(redacted("/graph/crop?input=https://user:secret@example.com/a.jpg"),
            "/graph/crop?input=https%3A%2F%2Fexample.com%2Fa.jpg");
  EXPECT_EQ(redacted("/graph/watermark?input=http://h/a.jpg&watermark=http://u:p%40ss@h/w.png"),
            "/graph/watermark?input=http://h/a.jpg&watermark=http%3A%2F%2Fh%2Fw.png");
  // An '@' after the authority is not a credential.
  EXPECT_EQ(redacted("/graph/crop?input=http://h/a@2x.jpg&mail=a%40b"),
            "/graph/crop?input=http://h/a@2x.jpg&mail=a%40b");
  for (const char* target : {"/graph/k/SECRET/crop?input=http%3A%2F%2Fuser%3ASECRET%40h%2Fa.jpg",
                             "/graph/crop?input=ftp://SECRET@h/x&input=http://a:SECRET@h/y"}) {
    EXPECT_EQ(redacted(target).find("SECRET"), std::string::npos) << redacted(target);
  }
}

TEST(RequestTarget, LongTargetsAreCut) {
  const std::string target = "/graph/crop?input=" + std::string(20000, 'a');
  const std::string r = redacted(target);
  EXPECT_EQ(r.size(), kMaxLoggedTarget + 3);
  EXPECT_TRUE(r.ends_with("aaa..."));
}

TEST(RequestId, KeepsValidIdsAndReplacesTheRest) {
  RequestId id;
  id.assign("abc-DEF_1.2");
  EXPECT_EQ(id.view(), "abc-DEF_1.2");
  const std::string longest(kMaxRequestIdLength, 'x');
  id.assign(longest);
  EXPECT_EQ(id.view(), longest);
  const std::regex generated("^[0-9a-f]{32}$");
  for (std::string bad : {std::string(), longest + "x", std::string("a b"), std::string("a\"b"), std::string("a\nb"),
                          std::string("caf\xC3\xA9"), std::string("a/b"), std::string("x\0y", 3)}) {
    EXPECT_FALSE(valid_request_id(bad)) << bad;
    id.assign(bad);
    EXPECT_TRUE(std::regex_match(std::string(id.view()), generated)) << id.view();
  }
}

TEST(RequestId, GeneratedIdsDifferAcrossCallsAndThreads) {
  std::set<std::string> seen;
  auto make = [](std::vector<std::string>& out) {
    RequestId id;
    for (int i = 0; i < 1000; ++i) {
      id.assign("");
      out.emplace_back(id.view());
    }
  };
  std::vector<std::string> a, b;
  std::thread t([&] { make(b); });
  make(a);
  t.join();
  seen.insert(a.begin(), a.end());
  seen.insert(b.begin(), b.end());
  EXPECT_EQ(seen.size(), 2000u);
}

// The value of one sample line of `text` ("name{labels} value"), or -1.
double sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

TEST(RequestMetrics, HistogramPerRouteStatusClassAndCacheOutcome) {
  RequestMetrics m;
  m.record(Route::kGraph, 301, CacheOutcome::kHot, 200us);
  std::thread([&] { m.record(Route::kGraph, 301, CacheOutcome::kHot, 700us); }).join();
  m.record(Route::kGraph, 504, CacheOutcome::kMiss, 31s);
  m.record(Route::kOther, 404, CacheOutcome::kNone, 2ms);
  EXPECT_EQ(m.requests(), 4u);
  EXPECT_EQ(m.requests(CacheOutcome::kHot), 2u);
  EXPECT_EQ(m.requests(CacheOutcome::kHit), 0u);
  std::string text;
  m.render(text);
  const std::string hot =
      "imgflo_http_request_duration_seconds_bucket{route=\"graph\",status=\"3xx\",cache=\"hot\",le=";
  EXPECT_EQ(sample(text, hot + "\"" + metrics::format_value(0.0005) + "\"}"), 1);
  EXPECT_EQ(sample(text, hot + "\"0.001\"}"), 2) << "buckets are cumulative";
  EXPECT_EQ(sample(text, hot + "\"+Inf\"}"), 2);
  EXPECT_EQ(sample(text, "imgflo_http_request_duration_seconds_count{route=\"graph\",status=\"3xx\",cache=\"hot\"}"),
            2);
  EXPECT_NEAR(sample(text, "imgflo_http_request_duration_seconds_sum{route=\"graph\",status=\"3xx\",cache=\"hot\"}"),
              0.0009, 1e-12);
  const std::string slow =
      "imgflo_http_request_duration_seconds_bucket{route=\"graph\",status=\"5xx\",cache=\"miss\",le=";
  EXPECT_EQ(sample(text, slow + "\"30\"}"), 0);
  EXPECT_EQ(sample(text, slow + "\"+Inf\"}"), 1);
  EXPECT_EQ(sample(text, "imgflo_http_request_duration_seconds_count{route=\"other\",status=\"4xx\",cache=\"none\"}"),
            1);
  EXPECT_EQ(text.find("route=\"health\""), std::string::npos) << "a series without requests";
  EXPECT_NE(text.find("# TYPE imgflo_http_request_duration_seconds histogram\n"), std::string::npos);
}

TEST(RequestMetrics, EachThreadCountsAloneAndScrapesSeeAll) {
  RequestMetrics m;
  constexpr int kLoops = 4, kEach = 20000;
  std::vector<std::thread> loops;
  for (int l = 0; l < kLoops; ++l) {
    loops.emplace_back([&m] {
      for (int i = 0; i < kEach; ++i) m.record(Route::kHealth, 200, CacheOutcome::kNone, 1us);
    });
  }
  for (int i = 0; i < 50; ++i) EXPECT_LE(m.requests(), uint64_t{kLoops} * kEach);  // scraped while counting
  for (auto& t : loops) t.join();
  EXPECT_EQ(m.requests(), uint64_t{kLoops} * kEach);
}

// Access lines are info lines: the test main logs warnings only.
class InfoLevel {
 public:
  InfoLevel() : saved_(spdlog::get_level()) { spdlog::set_level(spdlog::level::info); }
  ~InfoLevel() { spdlog::set_level(saved_); }

 private:
  spdlog::level::level_enum saved_;
};

// An access log whose lines are collected by the test.
struct Collected {
  InfoLevel level;
  std::vector<std::string> writes;
  AccessLog log{2, true, [this](std::string_view lines) { writes.emplace_back(lines); }};
};

AccessRecord record(std::string_view target, std::string_view id = "rid-1") {
  return {"GET", target, 301, CacheOutcome::kHot, 0, 41'500ns, id};
}

TEST(AccessLog, NothingBelowTheLogLevel) {
  std::vector<std::string> writes;
  AccessLog log(1, true, [&](std::string_view lines) { writes.emplace_back(lines); });
  spdlog::set_level(spdlog::level::warn);  // the unit tests' level (test_main)
  EXPECT_FALSE(log.append(0, record("/graph/a")));
  log.flush_all();
  EXPECT_TRUE(writes.empty());
}

TEST(AccessLog, LinesWaitForTheirLoopsFlush) {
  Collected c;
  EXPECT_TRUE(c.log.append(0, record("/graph/a"))) << "the first line asks for a flush";
  EXPECT_FALSE(c.log.append(0, record("/graph/b"))) << "one flush is already due";
  EXPECT_TRUE(c.log.append(1, record("/graph/c"))) << "loops have their own buffers";
  EXPECT_TRUE(c.writes.empty());
  c.log.flush(0);
  ASSERT_EQ(c.writes.size(), 1u);
  EXPECT_EQ(std::count(c.writes[0].begin(), c.writes[0].end(), '\n'), 2) << "one write for both lines";
  c.log.flush(0);
  EXPECT_EQ(c.writes.size(), 1u) << "nothing left to write";
  EXPECT_TRUE(c.log.append(0, record("/graph/d")));
  c.log.flush_all();
  EXPECT_EQ(c.writes.size(), 3u);
}

TEST(AccessLog, ABusyLoopWritesWithoutWaiting) {
  Collected c;
  const std::string target = "/graph/crop?input=" + std::string(1000, 'a');
  size_t appended = 0;
  while (c.writes.empty() && appended < 1000) {
    c.log.append(0, record(target));
    ++appended;
  }
  ASSERT_EQ(c.writes.size(), 1u);
  EXPECT_GE(c.writes[0].size(), AccessLog::kFlushBytes);
  EXPECT_LT(c.writes[0].size(), AccessLog::kFlushBytes + 2000);
}

TEST(AccessLog, HotLinesReuseTheirTargetsFieldsAndNothingElse) {
  Collected c;
  const std::string a = "/graph/k/secret/crop.png?input=files%2Fa.jpg", b = "/graph/crop.png?input=files%2Fb.jpg";
  for (int i = 0; i < 3; ++i) {
    c.log.append(0, record(a, "id-a" + std::to_string(i)));
    c.log.append(0, record(b, "id-b" + std::to_string(i)));
  }
  c.log.flush(0);
  ASSERT_EQ(c.writes.size(), 1u);
  std::istringstream lines(c.writes[0]);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    const bool first = n % 2 == 0;
    const std::string expected = first ? "path=\"/graph/k/-/crop.png?input=files%2Fa.jpg\" route=graph status=301 "
                                         "cache=hot bytes=0 app=k duration_ms=0.041 request_id=id-a"
                                       : "path=\"/graph/crop.png?input=files%2Fb.jpg\" route=graph status=301 "
                                         "cache=hot bytes=0 app=\"\" duration_ms=0.041 request_id=id-b";
    EXPECT_NE(line.find(expected + std::to_string(n / 2)), std::string::npos) << line;
  }
  EXPECT_EQ(n, 6);
}

TEST(AccessLog, OffWritesNothing) {
  InfoLevel level;
  std::vector<std::string> writes;
  AccessLog log(1, false, [&](std::string_view lines) { writes.emplace_back(lines); });
  EXPECT_FALSE(log.append(0, record("/graph/a")));
  log.flush_all();
  EXPECT_TRUE(writes.empty());
}

TEST(AccessLog, LineCarriesEveryField) {
  Collected c;
  AccessRecord r = record("/graph/key1/tok/crop.png?input=http://u:pw@h/a.jpg", "abc");
  r.status = 504;
  r.cache = CacheOutcome::kMiss;
  r.bytes = 123;
  r.latency = 30'000'123'456ns;
  c.log.append(0, r);
  c.log.flush(0);
  ASSERT_EQ(c.writes.size(), 1u);
  const std::string& l = c.writes[0];
  // The process's format (text in unit tests: logging is not set up here).
  ASSERT_EQ(log_format(), LogFormat::kText);
  EXPECT_NE(l.find(" [info] access method=GET path=\"/graph/key1/-/crop.png?input=http%3A%2F%2Fh%2Fa.jpg\" route=graph "
                   "status=504 cache=miss bytes=123 app=key1 duration_ms=30000.123 request_id=abc\n"),
            std::string::npos)
      << l;
}

TEST(AccessLog, UnparsedRequestsHaveADashForMethod) {
  Collected c;
  c.log.append(0, {"", "", 400, CacheOutcome::kNone, 50, 1ms, "id"});
  c.log.flush(0);
  ASSERT_EQ(c.writes.size(), 1u);
  EXPECT_NE(c.writes[0].find(" access method=- path=\"\" route=other status=400"), std::string::npos) << c.writes[0];
}

}  // namespace
}  // namespace imgflo::http
