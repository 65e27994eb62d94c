// The applications database's schema as a versioned list of migrations, for
// both dialects, and the one function that applies them.
//
// Version 1 is the original's `applications` table (created only if absent,
// so an existing database of the original is adopted); version 2 adds what
// admin apps, key rotation and live changes need (admin, previous_secret,
// previous_secret_expires_at, and the one-row change counter
// imgflo_app_changes bumped by triggers on every write; PostgreSQL's trigger
// also sends NOTIFY imgflo_apps). Applied versions are recorded in
// imgflo_migrations(version, applied_at). Where the dialects differ, the
// difference is written in the list (Migration::sqlite / ::postgres), nowhere
// else.
//
// apply_migrations() runs every missing step and records it in ONE
// transaction (all or nothing), taking the database's write lock first
// (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock),
// so programs starting at once apply each step exactly once.
#pragma once

#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::apps {

enum class Dialect { kSqlite, kPostgres };

// The columns of `applications` in the order the stores select them (AppRecord's order).
constexpr std::string_view kApplicationColumns =
    "key, secret, label, owner_email, processing_quota, enabled, admin, previous_secret, "
    "previous_secret_expires_at, created_at, updated_at";

struct Migration {
  int version = 0;
  std::string_view description;
  std::vector<std::string_view> sqlite;    // statements, in order
  std::vector<std::string_view> postgres;  // statements, in order
};

// Every migration, by increasing version (1, 2, ...).
const std::vector<Migration>& migrations();
// The schema version this program writes and reads (the last migration's).
int latest_schema_version();

// What apply_migrations needs from a connection; each store adapts its own.
class SqlSession {
 public:
  virtual ~SqlSession() = default;
  // Runs one statement, discarding any rows. kUnavailable on failure.
  virtual Status execute(std::string_view sql) = 0;
  // The first column of the first row as an integer; nullopt for no row or NULL.
  virtual Result<std::optional<int64_t>> query_int(std::string_view sql) = 0;
};

// Brings the database to latest_schema_version() in one transaction (rolled
// back on any failure). A database at a newer version than this program knows
// is left alone: kUnavailable "database schema vN is newer than this program
// (vM)". Idempotent: a current database costs one lock and one query.
Status apply_migrations(SqlSession& session, Dialect dialect);

}  // namespace imgflo::apps
