// The applications database behind real imgflo-server processes: the
// original's auth expectations with apps from the database, changes that
// reach two frontends sharing one database without a restart (SQLite file:
// polled counter; PostgreSQL: NOTIFY), key rotation with a grace, expiring
// URLs. Apps are made by the imgflo-apps CLI, as an operator would.
#include "e2e_util.h"

#include "request/auth.h"
#include "support/paths.h"
#include "support/proc_stats.h"
#include "support/postgres_database.h"
#include "support/test_text.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <memory>
#include <thread>

namespace imgflo::test {
namespace {
namespace apps_auth {

using namespace std::chrono_literals;

// Changes must reach every frontend within this (issue 14: 5 s).
constexpr auto kLiveDeadline = 5s;

struct CliApp {
  std::string key, secret;
};

// Runs `build/imgflo-apps ARGS` against `database` and returns its stdout
// parsed as JSON (a failure when it exits non-zero or prints no JSON).
nlohmann::json cli(const std::string& database, const std::vector<std::string>& args) {
  static int runs = 0;
  const auto out = scratch_dir("apps-auth-cli") / ("run-" + std::to_string(::getpid()) + "-" + std::to_string(++runs));
  ChildProcess child(binary_dir() / "imgflo-apps", args, {{"DATABASE_URL", database}}, out);
  const auto status = child.wait_exit(30s);
  const std::string log = child.log();
  EXPECT_TRUE(status && !status->signalled && status->code == 0) << "imgflo-apps failed:\n" << log;
  try {
    return nlohmann::json::parse(log.substr(log.find('{')));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "imgflo-apps printed no JSON (" << e.what() << "):\n" << log;
    return nlohmann::json::object();
  }
}

CliApp add_app(const std::string& database, const std::string& label, std::vector<std::string> flags = {}) {
  std::vector<std::string> args = {"add", "e2e@example.com", label};
  args.insert(args.end(), flags.begin(), flags.end());
  const nlohmann::json app = cli(database, args);
  return {app.value("key", ""), app.value("secret", "")};
}

// The md5-signed path of passthrough.png with `query` (no leading '?').
std::string signed_path(const CliApp& app, const std::string& query) {
  const std::string spec = "passthrough.png", search = "?" + query;
  return "/graph/" + app.key + "/" + request::Authenticator::md5_token(spec, search, app.secret) + "/" + spec + search;
}

std::string image_query(const std::string& tag) {
  return "input=files%2Fgridbear.jpg&ignored=" + tag + "-" + std::to_string(::getpid());
}

int status_of(const ServerProcess& server, const std::string& path) { return http_get(server.url(path)).status; }

// Polls GET `path` on `server` until it answers `want`, for at most `deadline`.
::testing::AssertionResult answers_within(const ServerProcess& server, const std::string& path, int want,
                                          std::chrono::milliseconds deadline = kLiveDeadline) {
  const auto start = std::chrono::steady_clock::now();
  int last = 0;
  while (std::chrono::steady_clock::now() - start < deadline) {
    last = status_of(server, path);
    if (last == want) return ::testing::AssertionSuccess();
    std::this_thread::yield();
  }
  return ::testing::AssertionFailure() << path << " still answered " << last << " after " << deadline.count()
                                       << " ms (want " << want << ")";
}

std::string sqlite_database(const std::string& name) {
  const auto dir = scratch_dir("apps-auth-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove(dir / "imgflo.db");
  return "sqlite://" + (dir / "imgflo.db").string();
}

// One database, its apps made before the frontends start.
class AppsAuth : public ::testing::Test {
 protected:
  void start(int frontends, const std::string& database) {
    for (int i = 0; i < frontends; ++i) {
      servers_.push_back(std::make_unique<ServerProcess>("apps-auth-" + std::to_string(i),
                                                         std::map<std::string, std::string>{{"DATABASE_URL", database}}));
    }
  }
  ServerProcess& s(int i = 0) { return *servers_.at(i); }
  // Enable/disable/rotate on `db`, shared by two frontends, without a restart.
  void live_changes(const std::string& db);
  std::vector<std::unique_ptr<ServerProcess>> servers_;
};

TEST_F(AppsAuth, TheOriginalsExpectationsWithCliApps) {
  const std::string db = sqlite_database("original");
  const CliApp app = add_app(db, "normal");
  const CliApp reader = add_app(db, "reader", {"--quota", "0"});
  const CliApp admin = add_app(db, "admin", {"--admin"});
  const CliApp disabled = add_app(db, "disabled");
  cli(db, {"disable", disabled.key});
  start(1, db);

  const std::string query = image_query("original");
  EXPECT_EQ(status_of(s(), "/graph/passthrough.png?" + query), 403) << "unsigned";
  EXPECT_EQ(status_of(s(), signed_path(app, query)), 301) << "valid";
  EXPECT_EQ(status_of(s(), signed_path({app.key, "not-the-secret"}, query)), 403) << "wrong secret";
  EXPECT_EQ(status_of(s(), signed_path({"000000000000000", app.secret}, query)), 403) << "unknown key";
  const HttpResult off = http_get(s().url(signed_path(disabled, query)));
  EXPECT_EQ(off.status, 403) << "disabled, although the result is cached";
  EXPECT_EQ(off.json().value("error", ""), "app disabled");

  const HttpResult processing = http_get(s().url(signed_path(reader, image_query("reader-new"))));
  EXPECT_EQ(processing.status, 403) << "quota 0 processed a new image";
  EXPECT_EQ(processing.json().value("error", ""), "this app may only read cached results");
  EXPECT_EQ(status_of(s(), signed_path(reader, query)), 301) << "quota 0 reads cached results";

  EXPECT_EQ(status_of(s(), signed_path(admin, query + "&_nocache=true")), 301) << "admin _nocache";
  EXPECT_EQ(status_of(s(), signed_path(app, query + "&_nocache=true")), 403) << "non-admin _nocache";
}

TEST_F(AppsAuth, ExpiringUrls) {
  const std::string db = sqlite_database("expires");
  const CliApp app = add_app(db, "expiring");
  start(1, db);
  const long long now = static_cast<long long>(std::time(nullptr));
  const std::string query = image_query("expires");
  const std::string future = query + "&_expires=" + std::to_string(now + 3600);
  EXPECT_EQ(status_of(s(), signed_path(app, future)), 301);
  EXPECT_EQ(status_of(s(), signed_path(app, future)), 301) << "cached";
  const HttpResult past = http_get(s().url(signed_path(app, query + "&_expires=" + std::to_string(now - 1))));
  EXPECT_EQ(past.status, 403);
  EXPECT_EQ(past.json().value("error", ""), "expired");
  // The token of the first URL with a later _expires: the signature no longer matches.
  std::string tampered = signed_path(app, future);
  tampered.replace(tampered.rfind(std::to_string(now + 3600)), std::to_string(now + 3600).size(),
                   std::to_string(now + 7200));
  const HttpResult refused = http_get(s().url(tampered));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json().value("error", ""), "invalid token");
  EXPECT_EQ(status_of(s(), signed_path(app, query + "&_expires=soon")), 400);
}

void AppsAuth::live_changes(const std::string& db) {
  const CliApp app = add_app(db, "live");
  start(2, db);
  const std::string path = signed_path(app, image_query("live"));
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(status_of(s(i), path), 301) << "frontend " << i;
    ASSERT_EQ(status_of(s(i), path), 301) << "frontend " << i << ", cached (hot path)";
  }
  cli(db, {"disable", app.key});
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(answers_within(s(i), path, 403)) << "disable, frontend " << i;
  cli(db, {"enable", app.key});
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(answers_within(s(i), path, 301)) << "enable, frontend " << i;

  const long long rotated_at = static_cast<long long>(std::time(nullptr));
  const nlohmann::json rotated = cli(db, {"rotate", app.key, "--grace", "4s"});
  const CliApp renewed{app.key, rotated.value("secret", "")};
  ASSERT_NE(renewed.secret, app.secret);
  const std::string new_path = signed_path(renewed, image_query("live"));
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(answers_within(s(i), new_path, 301)) << "new secret, frontend " << i;
  }
  const long long grace_end = rotated_at + 4;  // the CLI's grace starts after rotated_at
  if (static_cast<long long>(std::time(nullptr)) < grace_end - 1) {  // a second of margin for the requests
    for (int i = 0; i < 2; ++i) EXPECT_EQ(status_of(s(i), path), 301) << "old secret in its grace";
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(answers_within(s(i), path, 403, 4s + kLiveDeadline)) << "old secret after the grace";
  }
}

TEST_F(AppsAuth, ChangesReachTwoFrontendsOnSqliteWithoutARestart) {
  const std::string db = sqlite_database("live");
  live_changes(db);
}

TEST_F(AppsAuth, ChangesReachTwoFrontendsOnPostgresWithoutARestart) {
  const std::string url = postgres_url_for_this_test();  // a fresh database, dropped after the test
  ASSERT_FALSE(url.empty());
  live_changes(url);
}

TEST_F(AppsAuth, ReadyReportsTheAppsCheck) {
  const std::string db = sqlite_database("ready");
  add_app(db, "ready");
  start(1, db);
  const HttpResult ready = http_get(s().url("/ready"));
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_NE(ready.body.find("\"apps\""), std::string::npos) << ready.body;
}

}  // namespace apps_auth
}  // namespace
}  // namespace imgflo::test
