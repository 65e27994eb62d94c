#include "apps/sqlite_app_store.h"

#include "apps/app_input.h"
#include "apps/app_keys.h"
#include "apps/migrations.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

// Named so that nothing here clashes with another store's file in a unity batch.
namespace imgflo::apps::sqlite_store {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kColumns = kApplicationColumns;
// Fresh keys colliding with an existing one (60 random bits) before add() gives up.
constexpr int kAddAttempts = 3;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

std::string with_columns(std::string_view head, std::string_view tail = "") {
  return std::string(head) + std::string(kColumns) + std::string(tail);
}

// Creates `file` (mode 0600) and its folder when missing.
Status create_file(const fs::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  if (ec) return Error(ErrorKind::kUnavailable, "cannot create the folder of " + file.string() + ": " + ec.message());
  const int fd = ::open(file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST) {
    return Error(ErrorKind::kUnavailable, "cannot create " + file.string() + ": " + std::strerror(errno));
  }
  if (fd >= 0) ::close(fd);
  return ok_status();
}

// One run of a prepared statement: bindings cleared first, the statement reset
// afterwards (so no read transaction stays open between calls and the WAL can
// be checkpointed).
class Run {
 public:
  explicit Run(const Statement& statement) : s(statement.get()) { sqlite3_clear_bindings(s); }
  ~Run() { sqlite3_reset(s); }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  sqlite3_stmt* const s;
};

class SqliteAppStore;

// apply_migrations' view of the connection.
class SqliteSession final : public SqlSession {
 public:
  explicit SqliteSession(SqliteAppStore& store) : store_(store) {}
  Status execute(std::string_view sql) override;
  Result<std::optional<int64_t>> query_int(std::string_view sql) override;

 private:
  SqliteAppStore& store_;
};

class SqliteAppStore final : public AppStore {
 public:
  SqliteAppStore(DbHandle db, fs::path file) : db_(std::move(db)), file_(std::move(file)) {}

  // Pragmas, migrations, prepared statements.
  Status prepare_all() {
    sqlite3_busy_timeout(db_.get(), static_cast<int>(kBusyTimeout.count()));
    if (auto st = execute("PRAGMA journal_mode = WAL"); !st.ok()) return st;
    SqliteSession session(*this);
    if (auto st = apply_migrations(session, Dialect::kSqlite); !st.ok()) return st;
    const std::pair<Statement*, std::string> all[] = {
        {&insert_, with_columns("INSERT INTO applications (",
                                ") VALUES (?1, ?2, ?3, ?4, ?5, true, ?6, '', 0, ?7, ?7) RETURNING ") +
                       std::string(kColumns)},
        {&list_, with_columns("SELECT ", " FROM applications ORDER BY created_at, key")},
        {&find_, with_columns("SELECT ", " FROM applications WHERE key = ?1")},
        {&set_enabled_, with_columns("UPDATE applications SET enabled = ?2, updated_at = ?3 WHERE key = ?1 RETURNING ")},
        {&set_quota_,
         with_columns("UPDATE applications SET processing_quota = ?2, updated_at = ?3 WHERE key = ?1 RETURNING ")},
        {&rotate_, with_columns("UPDATE applications SET previous_secret = CASE WHEN ?3 > 0 THEN secret ELSE '' END, "
                                "previous_secret_expires_at = ?3, secret = ?2, updated_at = ?4 WHERE key = ?1 "
                                "RETURNING ")},
        {&remove_, "DELETE FROM applications WHERE key = ?1"},
        {&counter_, "SELECT counter FROM imgflo_app_changes WHERE id = 1"},
    };
    for (const auto& [statement, sql] : all) {
      auto prepared = prepare(sql);
      if (!prepared.ok()) return prepared.take_error();
      *statement = std::move(prepared).value();
    }
    return ok_status();
  }

  Result<AppRecord> add(const NewApp& app) override {
    if (auto st = validate_new_app(app); !st.ok()) return st.take_error();
    for (int attempt = 1;; ++attempt) {
      auto key = new_app_token();
      auto secret = new_app_token();
      if (!key.ok()) return key.take_error();
      if (!secret.ok()) return secret.take_error();
      Run run(insert_);
      sqlite3_stmt* s = run.s;
      bind_text(s, 1, *key);
      bind_text(s, 2, *secret);
      bind_text(s, 3, app.label);
      bind_text(s, 4, app.owner_email);
      sqlite3_bind_int64(s, 5, app.processing_quota);
      sqlite3_bind_int(s, 6, app.admin ? 1 : 0);
      sqlite3_bind_int64(s, 7, unix_now());
      auto row = one_row(s, "add");
      if (row.ok() || attempt == kAddAttempts || sqlite3_extended_errcode(db_.get()) != SQLITE_CONSTRAINT_PRIMARYKEY) {
        return row;
      }
    }
  }

  Result<std::vector<AppRecord>> list() override {
    if (auto st = still_there(); !st.ok()) return st.take_error();
    Run run(list_);
    sqlite3_stmt* s = run.s;
    std::vector<AppRecord> apps;
    for (;;) {
      const int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return failure("list");
      apps.push_back(read_row(s));
    }
    return apps;
  }

  Result<AppRecord> find(const std::string& key) override {
    Run run(find_);
    sqlite3_stmt* s = run.s;
    bind_text(s, 1, key);
    return one_row(s, "find");
  }

  Result<AppRecord> set_enabled(const std::string& key, bool enabled) override {
    Run run(set_enabled_);
    sqlite3_stmt* s = run.s;
    bind_text(s, 1, key);
    sqlite3_bind_int(s, 2, enabled ? 1 : 0);
    sqlite3_bind_int64(s, 3, unix_now());
    return one_row(s, "set_enabled");
  }

  Result<AppRecord> set_quota(const std::string& key, int64_t quota) override {
    if (auto st = validate_quota(quota); !st.ok()) return st.take_error();
    Run run(set_quota_);
    sqlite3_stmt* s = run.s;
    bind_text(s, 1, key);
    sqlite3_bind_int64(s, 2, quota);
    sqlite3_bind_int64(s, 3, unix_now());
    return one_row(s, "set_quota");
  }

  Result<AppRecord> rotate(const std::string& key, std::chrono::seconds grace) override {
    if (auto st = validate_grace(grace); !st.ok()) return st.take_error();
    auto secret = new_app_token();
    if (!secret.ok()) return secret.take_error();
    const int64_t now = unix_now();
    Run run(rotate_);
    sqlite3_stmt* s = run.s;
    bind_text(s, 1, key);
    bind_text(s, 2, *secret);
    sqlite3_bind_int64(s, 3, grace.count() > 0 ? now + grace.count() : 0);
    sqlite3_bind_int64(s, 4, now);
    return one_row(s, "rotate");
  }

  Status remove(const std::string& key) override {
    if (auto st = still_there(); !st.ok()) return st;
    Run run(remove_);
    sqlite3_stmt* s = run.s;
    bind_text(s, 1, key);
    if (sqlite3_step(s) != SQLITE_DONE) return failure("delete");
    if (sqlite3_changes(db_.get()) == 0) return unknown_key();
    return ok_status();
  }

  Result<int64_t> change_counter() override {
    if (auto st = still_there(); !st.ok()) return st.take_error();
    Run run(counter_);
    sqlite3_stmt* s = run.s;
    if (sqlite3_step(s) != SQLITE_ROW) return failure("change counter");
    return sqlite3_column_int64(s, 0);
  }

  Status wait_for_change(std::chrono::milliseconds timeout) override {
    std::this_thread::sleep_for(timeout);  // no notifications: the caller polls change_counter()
    return ok_status();
  }

  Status ping() override {
    auto counter = change_counter();
    if (!counter.ok()) return counter.take_error();
    return ok_status();
  }

  std::string_view kind() const override { return "sqlite"; }

  // For SqliteSession: one statement, rows discarded.
  Status execute(std::string_view sql) {
    auto statement = prepare(sql);
    if (!statement.ok()) return statement.take_error();
    for (;;) {
      const int rc = sqlite3_step(statement->get());
      if (rc == SQLITE_DONE) return ok_status();
      if (rc != SQLITE_ROW) return failure("migration");
    }
  }

  Result<std::optional<int64_t>> query_int(std::string_view sql) {
    auto statement = prepare(sql);
    if (!statement.ok()) return statement.take_error();
    sqlite3_stmt* s = statement->get();
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return std::optional<int64_t>();
    if (rc != SQLITE_ROW) return failure("migration");
    if (sqlite3_column_type(s, 0) == SQLITE_NULL) return std::optional<int64_t>();
    return std::optional<int64_t>(sqlite3_column_int64(s, 0));
  }

 private:
  Result<Statement> prepare(std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                           nullptr) != SQLITE_OK) {
      sqlite3_finalize(raw);
      return failure("prepare");
    }
    return Statement(raw);
  }


  static void bind_text(sqlite3_stmt* s, int index, const std::string& value) {
    sqlite3_bind_text(s, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }

  static std::string text(sqlite3_stmt* s, int column) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, column))) : std::string();
  }

  static AppRecord read_row(sqlite3_stmt* s) {
    AppRecord r;
    r.key = text(s, 0);
    r.secret = text(s, 1);
    r.label = text(s, 2);
    r.owner_email = text(s, 3);
    r.processing_quota = sqlite3_column_int64(s, 4);
    r.enabled = sqlite3_column_int(s, 5) != 0;
    r.admin = sqlite3_column_int(s, 6) != 0;
    r.previous_secret = text(s, 7);
    r.previous_secret_expires_at = sqlite3_column_int64(s, 8);
    r.created_at = sqlite3_column_int64(s, 9);
    r.updated_at = sqlite3_column_int64(s, 10);
    return r;
  }

  // The one row a statement on a key returns; kNotFound when it returns none.
  Result<AppRecord> one_row(sqlite3_stmt* s, std::string_view what) {
    if (auto st = still_there(); !st.ok()) return st.take_error();
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return unknown_key();
    if (rc != SQLITE_ROW) return failure(what);
    AppRecord r = read_row(s);
    if (sqlite3_step(s) != SQLITE_DONE) return failure(what);  // runs to the end: commits a write
    return r;
  }

  // kUnavailable when the file at the path was removed or replaced since it was opened.
  Status still_there() {
    int moved = 0;
    if (sqlite3_file_control(db_.get(), "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK || moved != 0) {
      return Error(ErrorKind::kUnavailable, "SQLite database " + file_.string() + " was removed or replaced");
    }
    return ok_status();
  }

  Error failure(std::string_view what) const {
    return Error(ErrorKind::kUnavailable,
                 "SQLite " + std::string(what) + " on " + file_.string() + ": " + sqlite3_errmsg(db_.get()));
  }

  static Error unknown_key() { return Error(ErrorKind::kNotFound, "no app with this key"); }

  DbHandle db_;
  fs::path file_;
  Statement insert_, list_, find_, set_enabled_, set_quota_, rotate_, remove_, counter_;
};

Status SqliteSession::execute(std::string_view sql) { return store_.execute(sql); }
Result<std::optional<int64_t>> SqliteSession::query_int(std::string_view sql) { return store_.query_int(sql); }

}  // namespace

}  // namespace imgflo::apps::sqlite_store

namespace imgflo::apps {

Result<std::unique_ptr<AppStore>> open_sqlite_app_store(const std::filesystem::path& file, CreateDatabase create) {
  using namespace sqlite_store;
  if (create == CreateDatabase::kIfMissing) {
    if (auto st = create_file(file); !st.ok()) return st.take_error();
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    return Error(ErrorKind::kUnavailable, "cannot open SQLite database " + file.string() + ": " +
                                              (db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc)));
  }
  auto store = std::make_unique<SqliteAppStore>(std::move(db), file);
  if (auto st = store->prepare_all(); !st.ok()) return st.take_error();
  return std::unique_ptr<AppStore>(std::move(store));
}

}  // namespace imgflo::apps
