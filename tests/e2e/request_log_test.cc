// Request telemetry over real HTTP: the JSON access log (every field, the
// token and URL credentials redacted), X-Request-Id kept or made and echoed,
// the request histogram counting every request (cold, cached, hot-path, 404),
// and /metrics on a listener of its own (IMGFLO_METRICS_ADDR).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "core/digest.h"
#include "e2e/e2e_util.h"

namespace imgflo::test {
namespace {

using namespace std::chrono_literals;

const std::string kKey = "Aiph3quoo7";
const std::string kSecret = "ohXee5Eequ0w";

// The sum of every sample of the series `name` ("name{...} value" lines).
uint64_t series_total(const std::string& metrics, const std::string& name, const std::string& label_filter = "") {
  uint64_t total = 0;
  for (const auto& line : lines_of(metrics)) {
    if (!line.starts_with(name + "{") || line.find(label_filter) == std::string::npos) continue;
    total += std::stoull(line.substr(line.rfind(' ') + 1));
  }
  return total;
}

HttpResult get_with_id(const std::string& url, const std::string& id) {
  return http(url, {.headers = {"X-Request-Id: " + id}});
}

TEST(RequestLog, AccessLinesAreJsonWithEveryFieldRedactedAndJoinedByRequestId) {
  ServerProcess server("request-log",
                       {{"IMGFLO_LOG_FORMAT", "json"}, {"IMGFLO_API_KEY", kKey}, {"IMGFLO_API_SECRET", kSecret}});
  const std::string spec = "crop.jpg";
  const std::string search = "?input=files%2Fgridbear.jpg&cropwidth=40&cropheight=30";
  const std::string token = md5_hex(spec + search + kSecret);
  const std::string url = server.url("/graph/" + kKey + "/" + token + "/" + spec + search);
  // An input URL with credentials: its access line must not show them.
  const std::string with_password = "?input=http%3A%2F%2Fuser%3Ahunter2%40127.0.0.1%3A1%2Fa.jpg";
  const std::string password_url =
      server.url("/graph/" + kKey + "/" + md5_hex(spec + with_password + kSecret) + "/" + spec + with_password);

  std::vector<std::pair<HttpResult, std::string>> made;  // response, the id sent ("" = none)
  made.emplace_back(get_with_id(url, "cold-1.a_B"), "cold-1.a_B");
  made.emplace_back(get_with_id(url, "hit-2"), "hit-2");
  made.emplace_back(get_with_id(url, "hot-3"), "hot-3");
  made.emplace_back(get_with_id(url, "bad id \"4\""), "");
  made.emplace_back(http_get(server.url("/no/such/route")), "");
  made.emplace_back(http(password_url, {.method = "HEAD"}), "");  // a miss that never fetches
  ASSERT_EQ(made[0].first.status, 301) << made[0].first.body;
  ASSERT_EQ(made[1].first.status, 301);
  ASSERT_EQ(made[2].first.status, 301);
  ASSERT_EQ(made[4].first.status, 404);
  ASSERT_EQ(made[5].first.status, 404);

  const std::regex generated("^[0-9a-f]{32}$");
  std::set<std::string> ids;
  for (const auto& [response, sent] : made) {
    const std::string id = response.header("x-request-id");
    if (!sent.empty()) {
      EXPECT_EQ(id, sent);
    } else {
      EXPECT_TRUE(std::regex_match(id, generated)) << id;
    }
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), made.size()) << "two requests got the same id";

  const auto lines = access_lines(server, made.size());
  ASSERT_EQ(lines.size(), made.size()) << server.log();
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& l : lines) {
    for (const char* field : {"time", "level", "method", "path", "route", "status", "cache", "request_id", "app"}) {
      EXPECT_TRUE(l.contains(field)) << field << " missing: " << l.dump();
    }
    EXPECT_TRUE(l["bytes"].is_number_unsigned()) << l.dump();
    EXPECT_TRUE(l["duration_ms"].is_number()) << l.dump();
    EXPECT_GE(l["duration_ms"].get<double>(), 0.0);
    by_id[l["request_id"].get<std::string>()] = l;
  }
  const auto& cold = by_id["cold-1.a_B"];
  EXPECT_EQ(cold["path"], "/graph/" + kKey + "/-/" + spec + search);
  EXPECT_EQ(cold["method"], "GET");
  EXPECT_EQ(cold["route"], "graph");
  EXPECT_EQ(cold["status"], 301);
  EXPECT_EQ(cold["cache"], "miss");
  EXPECT_EQ(cold["app"], kKey);
  EXPECT_EQ(by_id["hit-2"]["cache"], "hit");
  EXPECT_EQ(by_id["hot-3"]["cache"], "hot");
  EXPECT_EQ(by_id["hot-3"]["status"], 301);
  const auto& missing = by_id[made[4].first.header("x-request-id")];
  EXPECT_EQ(missing["status"], 404);
  EXPECT_EQ(missing["route"], "other");
  EXPECT_EQ(missing["cache"], "none");
  EXPECT_EQ(missing["bytes"], made[4].first.body.size());
  EXPECT_EQ(missing["app"], "");
  const auto& head = by_id[made[5].first.header("x-request-id")];
  EXPECT_EQ(head["path"], "/graph/" + kKey + "/-/" + spec + "?input=http%3A%2F%2F127.0.0.1%3A1%2Fa.jpg");
  EXPECT_EQ(head["method"], "HEAD");
  EXPECT_EQ(head["bytes"], 0);

  // Every line the server wrote on stderr is one JSON object (stdout's "listening" line aside);
  // neither the token nor the password appears anywhere.
  const std::string log = server.log();
  for (const auto& line : lines_of(log)) {
    if (line.starts_with("listening on port ")) continue;
    EXPECT_TRUE(nlohmann::json::accept(line)) << line;
  }
  EXPECT_EQ(log.find(token), std::string::npos) << log;
  EXPECT_EQ(log.find("hunter2"), std::string::npos) << log;
}

TEST(RequestMetrics, HistogramCountsEveryRequestMadeHotPathIncluded) {
  ServerProcess server("request-metrics");
  const std::string url = server.url("/graph/crop.png?input=files%2Fgridbear.jpg&cropwidth=20&cropheight=20");
  int made = 0;
  auto expect = [&](const HttpResult& r, int status) {
    ++made;
    EXPECT_EQ(r.status, status) << r.body;
  };
  expect(http(url, {.method = "HEAD"}), 404);              // a miss that never processes
  expect(http_get(url), 301);                              // cold
  expect(http_get(url), 301);                              // cached (index hit)
  for (int i = 0; i < 5; ++i) expect(http_get(url), 301);  // hot path
  expect(http_get(server.url("/graph/nosuchgraph?input=files%2Fgridbear.jpg")), 404);
  expect(http_get(server.url("/nothing/here")), 404);
  expect(http_get(server.url("/health")), 200);

  const HttpResult scrape = http_get(server.url("/metrics"));
  ASSERT_EQ(scrape.status, 200);
  const std::string& m = scrape.body;
  const std::string histogram = "imgflo_http_request_duration_seconds";
  EXPECT_EQ(series_total(m, histogram + "_count"), static_cast<uint64_t>(made)) << m;
  EXPECT_EQ(metric(server, "imgflo_http_requests_total"), static_cast<uint64_t>(made + 1)) << "the first scrape counts";
  EXPECT_EQ(series_total(m, histogram + "_count", "cache=\"hot\""), 5u) << m;
  EXPECT_EQ(series_total(m, histogram + "_count", "cache=\"hit\""), 1u) << m;
  EXPECT_EQ(series_total(m, histogram + "_count", "cache=\"miss\""), 2u) << m;
  EXPECT_EQ(series_total(m, histogram + "_count", "status=\"4xx\""), 3u) << m;
  EXPECT_EQ(series_total(m, histogram + "_bucket", "route=\"health\",status=\"2xx\",cache=\"none\",le=\"+Inf\""), 1u);
  EXPECT_EQ(metric(server, "imgflo_cache_hits_total"), 6u) << "hot answers are cache hits";
}

TEST(RequestMetrics, MetricsAddressServesThemOnItsOwnPort) {
  ServerProcess server("metrics-address", {{"IMGFLO_METRICS_ADDR", "127.0.0.1:0"}, {"IMGFLO_LOG_FORMAT", "json"}});
  std::smatch port;
  const std::string log = server.log();
  ASSERT_TRUE(std::regex_search(log, port, std::regex("metrics on port ([0-9]+)"))) << log;
  const std::string metrics = "http://127.0.0.1:" + port[1].str();
  EXPECT_EQ(http_get(server.url("/health")).status, 200);
  EXPECT_EQ(http_get(server.url("/metrics")).status, 404) << "the public port still serves metrics";
  const HttpResult other = http_get(metrics + "/health");
  EXPECT_EQ(other.status, 404) << "the metrics port serves more than metrics";
  const HttpResult scrape = get_with_id(metrics + "/metrics", "scrape-1");
  ASSERT_EQ(scrape.status, 200);
  EXPECT_EQ(scrape.header("x-request-id"), "scrape-1");
  EXPECT_NE(scrape.body.find("\nimgflo_http_requests_total 3\n"), std::string::npos) << scrape.body;
  const auto lines = access_lines(server, 4);
  ASSERT_EQ(lines.size(), 4u) << server.log();
  const auto scrape_line =
      std::find_if(lines.begin(), lines.end(), [](const auto& l) { return l["request_id"] == "scrape-1"; });
  ASSERT_NE(scrape_line, lines.end());
  EXPECT_EQ((*scrape_line)["route"], "metrics");
  EXPECT_EQ((*scrape_line)["status"], 200);
}

}  // namespace
}  // namespace imgflo::test
