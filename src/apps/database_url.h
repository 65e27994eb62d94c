// DATABASE_URL, the applications database's address, parsed once at the edge.
//
//   sqlite:///abs/path/imgflo.db    an absolute file path
//   sqlite://relative/path.db       a path relative to the working directory
//   postgres://user:pass@host:port/db[?options]   (also postgresql://)
//
// Percent-escapes are decoded in the PostgreSQL user, password and database
// name. The default, when DATABASE_URL is unset or empty, is the SQLite file
// IMGFLO_WORKDIR/imgflo.db (default_database_url), shared by imgflo-server,
// imgflo-worker and the imgflo-apps CLI.
//
// A parsed URL may hold a password: log redacted() only; errors never echo
// the password either.
#pragma once

#include "core/error.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace imgflo::apps {

struct DatabaseUrl {
  enum class Kind { kSqlite, kPostgres };
  Kind kind = Kind::kSqlite;

  // kSqlite: the database file.
  std::filesystem::path path;

  // kPostgres (empty host: libpq's default, a local socket).
  std::string host;
  uint16_t port = 5432;
  std::string user;
  std::string password;  // secret: never logged
  std::string database;
  std::string options;   // the raw query string after '?' ("" when none), for libpq

  // The URL without the password ("postgres://user:***@host:5432/db"), for logs.
  std::string redacted() const;
};

// kInvalidArgument naming the problem (an unknown scheme, an empty path, a
// bad port or percent-escape); the message never contains the password.
Result<DatabaseUrl> parse_database_url(std::string_view url);

// "sqlite://" + workdir/imgflo.db: the database when DATABASE_URL is not set.
std::string default_database_url(const std::filesystem::path& workdir);

}  // namespace imgflo::apps
