#include "support/postgres_database.h"

#include "apps/postgres_connection.h"
#include "support/service_env.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

namespace imgflo::test {

namespace {

constexpr const char* kServiceName = "IMGFLO_TEST_POSTGRES_URL";

// A database name no parallel test uses: 64 random bits in hex (letters and digits only, so it
// needs no quoting beyond the double quotes it gets anyway).
std::string fresh_database_name() {
  std::random_device rd;
  const unsigned long long bits = (static_cast<unsigned long long>(rd()) << 32) ^ rd();
  char buf[32];
  std::snprintf(buf, sizeof buf, "imgflo_t_%016llx", bits);
  return buf;
}

// One administrative statement on the server's own database (TLS off: loopback, and the
// statements are the test's, not what is tested).
Status run_admin(const std::string& server_url, const std::string& sql) {
  auto url = apps::parse_database_url(server_url);
  if (!url.ok()) return url.take_error();
  apps::PostgresOptions options;
  options.tls = false;
  options.statement_timeout = std::chrono::seconds(30);
  auto connection = apps::PostgresConnection::connect(*url, options);
  if (!connection.ok()) return connection.take_error();
  auto rows = (*connection)->execute(sql);
  if (!rows.ok()) return rows.take_error();
  return ok_status();
}

}  // namespace

Result<TestPostgresDatabase> TestPostgresDatabase::create() {
  const auto server = test_service(kServiceName);
  if (!server) return Error(ErrorKind::kUnavailable, missing_service_message(kServiceName));
  const size_t slash = server->rfind('/');
  if (slash == std::string::npos || slash + 1 >= server->size()) {
    return Error(ErrorKind::kInvalidArgument, std::string(kServiceName) + " has no database name");
  }
  std::string name = fresh_database_name();
  if (auto st = run_admin(*server, "CREATE DATABASE \"" + name + "\""); !st.ok()) return st.take_error();
  return TestPostgresDatabase(*server, name, server->substr(0, slash + 1) + name);
}

TestPostgresDatabase::TestPostgresDatabase(std::string server_url, std::string name, std::string url)
    : server_url_(std::move(server_url)), name_(std::move(name)), url_(std::move(url)) {}

TestPostgresDatabase::TestPostgresDatabase(TestPostgresDatabase&& other) noexcept
    : server_url_(std::move(other.server_url_)), name_(std::move(other.name_)), url_(std::move(other.url_)) {
  other.name_.clear();
}

TestPostgresDatabase::~TestPostgresDatabase() {
  if (name_.empty()) return;
  if (auto st = run_admin(server_url_, "DROP DATABASE IF EXISTS \"" + name_ + "\" WITH (FORCE)"); !st.ok()) {
    std::fprintf(stderr, "test database %s not dropped: %s\n", name_.c_str(), st.error().message().c_str());
  }
}

apps::DatabaseUrl TestPostgresDatabase::parsed() const {
  auto url = apps::parse_database_url(url_);
  return url.ok() ? *url : apps::DatabaseUrl{};
}

namespace {

// Drops the databases made for a test when it ends.
class DropAtTestEnd final : public ::testing::EmptyTestEventListener {
 public:
  void keep(TestPostgresDatabase db) { made_.push_back(std::move(db)); }
  void OnTestEnd(const ::testing::TestInfo&) override { made_.clear(); }

 private:
  std::vector<TestPostgresDatabase> made_;
};

}  // namespace

std::string postgres_url_for_this_test() {
  static DropAtTestEnd* const dropper = [] {
    auto* d = new DropAtTestEnd();
    ::testing::UnitTest::GetInstance()->listeners().Append(d);  // owned by gtest from here on
    return d;
  }();
  auto db = TestPostgresDatabase::create();
  if (!db.ok()) {
    ADD_FAILURE() << db.error().message();
    return "";
  }
  std::string url = db->url();
  dropper->keep(std::move(db).value());
  return url;
}

}  // namespace imgflo::test
