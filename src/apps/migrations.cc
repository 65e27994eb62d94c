#include "apps/migrations.h"

#include "apps/app_input.h"

namespace imgflo::apps {

namespace {

// The original's table. Times are Unix seconds.
constexpr std::string_view kApplicationsV1 = R"(CREATE TABLE IF NOT EXISTS applications (
  key TEXT PRIMARY KEY,
  secret TEXT NOT NULL,
  label TEXT NOT NULL,
  owner_email TEXT NOT NULL,
  processing_quota INTEGER NOT NULL,
  enabled BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL))";

constexpr std::string_view kAdmin = "ALTER TABLE applications ADD COLUMN admin BOOLEAN NOT NULL DEFAULT false";
constexpr std::string_view kPreviousSecret =
    "ALTER TABLE applications ADD COLUMN previous_secret TEXT NOT NULL DEFAULT ''";
constexpr std::string_view kPreviousExpires =
    "ALTER TABLE applications ADD COLUMN previous_secret_expires_at BIGINT NOT NULL DEFAULT 0";
constexpr std::string_view kChanges =
    "CREATE TABLE imgflo_app_changes (id INTEGER PRIMARY KEY CHECK (id = 1), counter BIGINT NOT NULL)";
constexpr std::string_view kFirstChange = "INSERT INTO imgflo_app_changes (id, counter) VALUES (1, 0)";

// SQLite: one trigger per kind of write (no statement-level triggers).
constexpr std::string_view kSqliteOnInsert =
    "CREATE TRIGGER imgflo_apps_inserted AFTER INSERT ON applications BEGIN "
    "UPDATE imgflo_app_changes SET counter = counter + 1 WHERE id = 1; END";
constexpr std::string_view kSqliteOnUpdate =
    "CREATE TRIGGER imgflo_apps_updated AFTER UPDATE ON applications BEGIN "
    "UPDATE imgflo_app_changes SET counter = counter + 1 WHERE id = 1; END";
constexpr std::string_view kSqliteOnDelete =
    "CREATE TRIGGER imgflo_apps_deleted AFTER DELETE ON applications BEGIN "
    "UPDATE imgflo_app_changes SET counter = counter + 1 WHERE id = 1; END";

// PostgreSQL: one statement-level trigger that also wakes the listeners.
constexpr std::string_view kPostgresChangedFunction = R"(CREATE OR REPLACE FUNCTION imgflo_apps_changed()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  next BIGINT;
BEGIN
  UPDATE imgflo_app_changes SET counter = counter + 1 WHERE id = 1 RETURNING counter INTO next;
  PERFORM pg_notify('imgflo_apps', next::text);
  RETURN NULL;
END
$$)";
constexpr std::string_view kPostgresTrigger =
    "CREATE TRIGGER imgflo_apps_changed AFTER INSERT OR UPDATE OR DELETE ON applications "
    "FOR EACH STATEMENT EXECUTE FUNCTION imgflo_apps_changed()";

constexpr std::string_view kMigrationsTable =
    "CREATE TABLE IF NOT EXISTS imgflo_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)";

// Serialises concurrent start-ups; PostgreSQL's advisory lock key is arbitrary but fixed ("imgflo" in ASCII).
std::vector<std::string_view> begin_statements(Dialect dialect) {
  if (dialect == Dialect::kSqlite) return {"BEGIN IMMEDIATE"};
  return {"BEGIN", "SELECT pg_advisory_xact_lock(113723610294383)"};
}

Error newer_schema(int64_t found) {
  return Error(ErrorKind::kUnavailable, "database schema v" + std::to_string(found) +
                                            " is newer than this program (v" +
                                            std::to_string(latest_schema_version()) + ")");
}

// Everything after the lock, inside the transaction.
Status migrate_locked(SqlSession& session, Dialect dialect) {
  if (auto st = session.execute(kMigrationsTable); !st.ok()) return st;
  auto current = session.query_int("SELECT MAX(version) FROM imgflo_migrations");
  if (!current.ok()) return current.take_error();
  const int64_t have = current->value_or(0);
  if (have > latest_schema_version()) return newer_schema(have);
  const int64_t now = unix_now();
  for (const Migration& m : migrations()) {
    if (m.version <= have) continue;
    for (std::string_view sql : dialect == Dialect::kSqlite ? m.sqlite : m.postgres) {
      if (auto st = session.execute(sql); !st.ok()) return st;
    }
    const std::string record = "INSERT INTO imgflo_migrations (version, applied_at) VALUES (" +
                               std::to_string(m.version) + ", " + std::to_string(now) + ")";
    if (auto st = session.execute(record); !st.ok()) return st;
  }
  return ok_status();
}

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kAll = {
      {1, "the original's applications table", {kApplicationsV1}, {kApplicationsV1}},
      {2,
       "admin apps, key rotation, the change counter",
       {kAdmin, kPreviousSecret, kPreviousExpires, kChanges, kFirstChange, kSqliteOnInsert, kSqliteOnUpdate,
        kSqliteOnDelete},
       {kAdmin, kPreviousSecret, kPreviousExpires, kChanges, kFirstChange, kPostgresChangedFunction,
        kPostgresTrigger}},
  };
  return kAll;
}

int latest_schema_version() { return migrations().back().version; }

Status apply_migrations(SqlSession& session, Dialect dialect) {
  for (std::string_view sql : begin_statements(dialect)) {
    if (auto st = session.execute(sql); !st.ok()) {
      (void)session.execute("ROLLBACK");
      return st;
    }
  }
  if (auto st = migrate_locked(session, dialect); !st.ok()) {
    (void)session.execute("ROLLBACK");
    return st;
  }
  if (auto st = session.execute("COMMIT"); !st.ok()) {
    (void)session.execute("ROLLBACK");
    return st;
  }
  return ok_status();
}

}  // namespace imgflo::apps
