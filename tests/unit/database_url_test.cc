// DATABASE_URL parsing (apps/database_url.h): the forms the README lists, the
// errors, and that no log form or error carries the password.
#include "apps/database_url.h"

#include <gtest/gtest.h>

#include <vector>

namespace imgflo::apps::url_test {
namespace {

DatabaseUrl parsed(const std::string& url) {
  auto u = parse_database_url(url);
  EXPECT_TRUE(u.ok()) << url << ": " << u.error().message();
  return u.ok() ? *u : DatabaseUrl{};
}

TEST(DatabaseUrl, SqliteAbsoluteAndRelativePaths) {
  DatabaseUrl abs = parsed("sqlite:///var/lib/imgflo/imgflo.db");
  EXPECT_EQ(abs.kind, DatabaseUrl::Kind::kSqlite);
  EXPECT_EQ(abs.path, "/var/lib/imgflo/imgflo.db");
  EXPECT_EQ(abs.redacted(), "sqlite:///var/lib/imgflo/imgflo.db");
  DatabaseUrl rel = parsed("sqlite://temp/imgflo.db");
  EXPECT_EQ(rel.path, "temp/imgflo.db");
}

TEST(DatabaseUrl, PostgresWithEveryPart) {
  DatabaseUrl u = parsed("postgres://imgflo:s%40cret@db.example.com:5433/apps?connect_timeout=5");
  EXPECT_EQ(u.kind, DatabaseUrl::Kind::kPostgres);
  EXPECT_EQ(u.user, "imgflo");
  EXPECT_EQ(u.password, "s@cret");
  EXPECT_EQ(u.host, "db.example.com");
  EXPECT_EQ(u.port, 5433);
  EXPECT_EQ(u.database, "apps");
  EXPECT_EQ(u.options, "connect_timeout=5");
  EXPECT_EQ(u.redacted(), "postgres://imgflo:***@db.example.com:5433/apps");
}

TEST(DatabaseUrl, PostgresDefaultsAndIpv6) {
  DatabaseUrl u = parsed("postgresql://localhost/imgflo");
  EXPECT_EQ(u.port, 5432);
  EXPECT_EQ(u.user, "");
  EXPECT_EQ(u.password, "");
  EXPECT_EQ(u.redacted(), "postgres://localhost:5432/imgflo");
  DatabaseUrl v6 = parsed("postgres://u:p@[::1]:6543/db");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 6543);
  EXPECT_EQ(v6.redacted(), "postgres://u:***@[::1]:6543/db");
}

TEST(DatabaseUrl, MalformedUrlsAreInvalidWithoutThePassword) {
  const std::vector<std::string> urls = {"", "mysql://u:hunter2@h/db", "sqlite://", "sqlite:", "postgres://u:hunter2@h:0/db",
        "postgres://u:hunter2@h:99999/db", "postgres://u:hunter2@h:54x/db", "postgres://u:hunter2@[::1/db",
        "postgres://u:hunter2%zz@h/db", "postgres://u:hunter2@h:/db", std::string("sqlite://a\0b", 12),
        "sqlite://" + std::string(5000, 'a')};
  for (const std::string& url : urls) {
    auto u = parse_database_url(url);
    ASSERT_FALSE(u.ok()) << url;
    EXPECT_EQ(u.error().kind(), ErrorKind::kInvalidArgument);
    EXPECT_EQ(u.error().message().find("hunter2"), std::string::npos) << u.error().message();
  }
}

TEST(DatabaseUrl, TheDefaultIsTheWorkdirsSqliteFile) {
  EXPECT_EQ(default_database_url("temp"), "sqlite://temp/imgflo.db");
  EXPECT_EQ(default_database_url("/srv/imgflo"), "sqlite:///srv/imgflo/imgflo.db");
  EXPECT_EQ(parsed(default_database_url("/srv/imgflo")).path, "/srv/imgflo/imgflo.db");
}

}  // namespace
}  // namespace imgflo::apps::url_test
