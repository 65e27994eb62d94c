// Processing quotas over real HTTP (issue 14) with apps in a SQLite
// applications database (DATABASE_URL): quota 3 → three new images 301, the
// fourth 429 with Retry-After, cached results still 301; the per-app series
// in /metrics and the app key in the access log; a quota raised with the
// store while the server runs allows processing again within 5 s; and one
// quota shared by two frontends through Redis.
#include "apps/open_app_store.h"
#include "core/digest.h"
#include "e2e/e2e_util.h"
#include "support/paths.h"
#include "support/service_env.h"
#include "support/test_text.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace imgflo::test {
namespace apps_quota_e2e {

using namespace std::chrono_literals;

const std::string kSpec = "crop.jpg";

// A database file private to the test, and an app made in it.
struct Database {
  explicit Database(const std::string& name) {
    const auto dir = scratch_dir(name);
    std::filesystem::remove(dir / "apps.db");
    url = "sqlite://" + (dir / "apps.db").string();
    auto opened = apps::open_app_store(url);
    if (!opened.ok()) throw std::runtime_error(opened.error().message());
    store = std::move(*opened);
  }
  apps::AppRecord add(int64_t quota) {
    auto app = store->add(apps::NewApp{"quota@example.com", "quota test", quota, false});
    if (!app.ok()) throw std::runtime_error(app.error().message());
    return *app;
  }
  std::string url;
  std::unique_ptr<apps::AppStore> store;
};

// The signed path of a new image (`n` picks it) for `app`.
std::string signed_path(const apps::AppRecord& app, int n) {
  const std::string search = "?input=files%2Fgridbear.jpg&cropwidth=" + std::to_string(10 + n) + "&cropheight=10";
  return "/graph/" + app.key + "/" + md5_hex(kSpec + search + app.secret) + "/" + kSpec + search;
}

// The value of the sample `name{labels}` in a /metrics text, or -1.
int64_t sample(const std::string& metrics, const std::string& name, const std::string& labels) {
  const std::string head = name + "{" + labels + "} ";
  const size_t at = metrics.find("\n" + head);
  if (at == std::string::npos) return -1;
  return std::stoll(metrics.substr(at + 1 + head.size()));
}

std::string outcome(const std::string& key, const std::string& what) {
  return "app=\"" + key + "\",outcome=\"" + what + "\"";
}

// Polls `path` on `server` until it answers `status` or `within` passes; the last answer.
HttpResult poll_until(const ServerProcess& server, const std::string& path, int status, std::chrono::seconds within) {
  const auto until = std::chrono::steady_clock::now() + within;
  HttpResult r = http_get(server.url(path));
  while (r.status != status && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);  // the pace of the poll, not a synchronisation
    r = http_get(server.url(path));
  }
  return r;
}

TEST(AppsQuota, TheFourthNewImageIs429CachedStill301AndARaisedQuotaAppliesLive) {
  Database db("apps-quota");
  const apps::AppRecord app = db.add(3);
  ServerProcess server("apps-quota", {{"DATABASE_URL", db.url}, {"IMGFLO_LOG_FORMAT", "json"}});

  for (int n = 1; n <= 3; ++n) {
    const HttpResult r = http_get(server.url(signed_path(app, n)));
    EXPECT_EQ(r.status, 301) << n << ": " << r.body;
  }
  const HttpResult over = http_get(server.url(signed_path(app, 4)));
  ASSERT_EQ(over.status, 429) << over.body;
  EXPECT_EQ(over.json()["type"], "quota-exceeded");
  EXPECT_NE(over.json()["error"].get<std::string>().find("3 images per 24 h"), std::string::npos) << over.body;
  EXPECT_GT(std::stoll(over.header("retry-after")), 0) << over.header("retry-after");
  EXPECT_LE(std::stoll(over.header("retry-after")), 86400);
  for (int i = 0; i < 3; ++i) {  // index hit, then the hot path
    EXPECT_EQ(http_get(server.url(signed_path(app, 1))).status, 301) << "a cached result is always served";
  }
  EXPECT_EQ(http(server.url(signed_path(app, 5)), {.method = "HEAD"}).status, 404) << "HEAD never counts";

  const std::string metrics = http_get(server.url("/metrics")).body;
  EXPECT_EQ(sample(metrics, "imgflo_app_requests_total", outcome(app.key, "processed")), 3) << metrics;
  EXPECT_EQ(sample(metrics, "imgflo_app_requests_total", outcome(app.key, "over_quota")), 1) << metrics;
  EXPECT_EQ(sample(metrics, "imgflo_app_requests_total", outcome(app.key, "hit")), 1) << "hot-path hits are not in it";
  EXPECT_EQ(sample(metrics, "imgflo_app_requests_total", outcome(app.key, "forbidden")), 0) << metrics;
  EXPECT_EQ(sample(metrics, "imgflo_app_processed_total", "app=\"" + app.key + "\""), 3) << metrics;

  const auto lines = access_lines(server, 9);  // the 8 graph requests and /metrics (lines are flushed late)
  size_t graph_lines = 0;
  for (const auto& line : lines) {
    if (line["route"] != "graph") continue;
    ++graph_lines;
    EXPECT_EQ(line["app"], app.key) << line.dump();
  }
  EXPECT_EQ(graph_lines, 8u) << server.log();

  ASSERT_TRUE(db.store->set_quota(app.key, 5).ok());
  const HttpResult raised = poll_until(server, signed_path(app, 4), 301, 5s);
  EXPECT_EQ(raised.status, 301) << "a raised quota applies within 5 s: " << raised.body;
}

TEST(AppsQuota, AQuotaOfZeroReadsCachedResultsOnly) {
  Database db("apps-quota-zero");
  const apps::AppRecord reader = db.add(0);
  const apps::AppRecord writer = db.add(1);
  ServerProcess server("apps-quota-zero", {{"DATABASE_URL", db.url}});
  const HttpResult refused = http_get(server.url(signed_path(reader, 1)));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.json()["error"], "this app may only read cached results");
  ASSERT_EQ(http_get(server.url(signed_path(writer, 1))).status, 301);
  // The same image signed by the reader: cached now.
  EXPECT_EQ(http_get(server.url(signed_path(reader, 1))).status, 301);
  const std::string metrics = http_get(server.url("/metrics")).body;
  EXPECT_EQ(sample(metrics, "imgflo_app_requests_total", outcome(reader.key, "forbidden")), 1) << metrics;
  EXPECT_EQ(sample(metrics, "imgflo_app_requests_total", outcome(reader.key, "hit")), 1) << metrics;
}

TEST(AppsQuota, TwoFrontendsShareOneQuotaThroughRedis) {
  const auto redis = test_service("IMGFLO_TEST_REDIS_URL");
  ASSERT_TRUE(redis.has_value()) << missing_service_message("IMGFLO_TEST_REDIS_URL");
  Database db("apps-quota-shared");
  const apps::AppRecord app = db.add(3);
  const std::map<std::string, std::string> env = {{"DATABASE_URL", db.url},
                                                  {"IMGFLO_CACHE", "redis-local"},
                                                  {"IMGFLO_REDIS_URL", *redis},
                                                  {"IMGFLO_REDIS_PREFIX", fresh_key("quota-e2e", "") + "/"}};
  ServerProcess a("apps-quota-shared-a", env);
  ServerProcess b("apps-quota-shared-b", env);
  EXPECT_EQ(http_get(a.url(signed_path(app, 1))).status, 301);
  EXPECT_EQ(http_get(b.url(signed_path(app, 2))).status, 301);
  EXPECT_EQ(http_get(a.url(signed_path(app, 3))).status, 301);
  const HttpResult over_b = http_get(b.url(signed_path(app, 4)));
  EXPECT_EQ(over_b.status, 429) << over_b.body;
  EXPECT_GT(std::stoll(over_b.header("retry-after")), 0);
  EXPECT_EQ(http_get(a.url(signed_path(app, 5))).status, 429);
  EXPECT_EQ(http_get(b.url(signed_path(app, 1))).status, 301) << "made by a, cached for both";
}

}  // namespace apps_quota_e2e
}  // namespace imgflo::test
