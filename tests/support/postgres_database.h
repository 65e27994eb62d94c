// A fresh database per test on the test PostgreSQL server
// (IMGFLO_TEST_POSTGRES_URL, from scripts/services/postgres.sh), so tests run
// in parallel processes without seeing each other's apps or notifications
// (LISTEN/NOTIFY is per database). Dropped (WITH FORCE) when the object goes.
#pragma once

#include "apps/database_url.h"
#include "core/error.h"

#include <string>

namespace imgflo::test {

class TestPostgresDatabase {
 public:
  // kUnavailable with missing_service_message() when no server is configured,
  // or the server's error when it cannot create the database.
  static Result<TestPostgresDatabase> create();
  ~TestPostgresDatabase();
  TestPostgresDatabase(TestPostgresDatabase&& other) noexcept;
  TestPostgresDatabase& operator=(TestPostgresDatabase&&) = delete;
  TestPostgresDatabase(const TestPostgresDatabase&) = delete;

  // postgres://user:password@127.0.0.1:PORT/NAME
  const std::string& url() const { return url_; }
  apps::DatabaseUrl parsed() const;
  const std::string& name() const { return name_; }
  // The server's URL (its own database, for administrative statements).
  const std::string& server_url() const { return server_url_; }

 private:
  TestPostgresDatabase(std::string server_url, std::string name, std::string url);
  std::string server_url_;
  std::string name_;  // empty once moved from
  std::string url_;
};

// The URL of a fresh database that is dropped when the running test ends (by a
// gtest listener, so not at process exit, when libpq's OpenSSL is gone): for
// suites that only pass URLs around. Fails the test and returns "" when no
// database can be made.
std::string postgres_url_for_this_test();

}  // namespace imgflo::test
