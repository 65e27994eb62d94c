#include "apps/postgres_app_store.h"

#include "apps/app_input.h"
#include "apps/app_keys.h"
#include "apps/migrations.h"

#include <charconv>

namespace imgflo::apps::postgres_store {

namespace {

using Params = std::vector<std::optional<std::string>>;

constexpr std::string_view kColumns = kApplicationColumns;
// Fresh keys colliding with an existing one (60 random bits) before add() gives up.
constexpr int kAddAttempts = 3;

std::string returning(std::string_view head) { return std::string(head) + " RETURNING " + std::string(kColumns); }

const std::string kInsert = returning(
    "INSERT INTO applications (key, secret, label, owner_email, processing_quota, enabled, admin, previous_secret, "
    "previous_secret_expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, true, $6, '', 0, $7, $7) "
    "ON CONFLICT (key) DO NOTHING");
const std::string kList = "SELECT " + std::string(kColumns) + " FROM applications ORDER BY created_at, key";
const std::string kFind = "SELECT " + std::string(kColumns) + " FROM applications WHERE key = $1";
const std::string kSetEnabled = returning("UPDATE applications SET enabled = $2, updated_at = $3 WHERE key = $1");
const std::string kSetQuota = returning("UPDATE applications SET processing_quota = $2, updated_at = $3 WHERE key = $1");
// The right-hand sides see the row before the update: previous_secret takes the old secret.
const std::string kRotate = returning(
    "UPDATE applications SET previous_secret = CASE WHEN $3::bigint > 0 THEN secret ELSE '' END, "
    "previous_secret_expires_at = $3, secret = $2, updated_at = $4 WHERE key = $1");
constexpr std::string_view kRemove = "DELETE FROM applications WHERE key = $1";
constexpr std::string_view kCounter = "SELECT counter FROM imgflo_app_changes WHERE id = 1";
constexpr std::string_view kListen = "LISTEN imgflo_apps";

std::string number(int64_t v) { return std::to_string(v); }
std::string boolean(bool v) { return v ? "true" : "false"; }

Error unknown_key() { return Error(ErrorKind::kNotFound, "no app with this key"); }

Result<int64_t> parse_int(const std::string& text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Error(ErrorKind::kUnavailable, "PostgreSQL: not an integer in the applications table");
  }
  return v;
}

Result<AppRecord> read_row(const PostgresRows& rows, int i) {
  AppRecord r;
  r.key = rows.text(i, 0);
  r.secret = rows.text(i, 1);
  r.label = rows.text(i, 2);
  r.owner_email = rows.text(i, 3);
  r.enabled = rows.text(i, 5) == "t";
  r.admin = rows.text(i, 6) == "t";
  r.previous_secret = rows.text(i, 7);
  const std::pair<int, int64_t*> numbers[] = {
      {4, &r.processing_quota}, {8, &r.previous_secret_expires_at}, {9, &r.created_at}, {10, &r.updated_at}};
  for (const auto& [column, out] : numbers) {
    if (rows.is_null(i, column)) continue;  // the original's tables allowed NULL times
    auto v = parse_int(rows.text(i, column));
    if (!v.ok()) return v.take_error();
    *out = *v;
  }
  return r;
}

// apply_migrations' view of the connection.
class PostgresSession final : public SqlSession {
 public:
  explicit PostgresSession(PostgresConnection& connection) : connection_(connection) {}

  Status execute(std::string_view sql) override {
    auto rows = connection_.execute(sql);
    if (!rows.ok()) return rows.take_error();
    return ok_status();
  }

  Result<std::optional<int64_t>> query_int(std::string_view sql) override {
    auto rows = connection_.execute(sql);
    if (!rows.ok()) return rows.take_error();
    if (rows->count() == 0 || rows->is_null(0, 0)) return std::optional<int64_t>();
    auto v = parse_int(rows->text(0, 0));
    if (!v.ok()) return v.take_error();
    return std::optional<int64_t>(*v);
  }

 private:
  PostgresConnection& connection_;
};

class PostgresAppStore final : public AppStore {
 public:
  explicit PostgresAppStore(std::unique_ptr<PostgresConnection> connection) : connection_(std::move(connection)) {}

  // LISTEN first: a change committed after this point wakes wait_for_change().
  Status prepare() {
    if (auto rows = connection_->execute(kListen); !rows.ok()) return rows.take_error();
    PostgresSession session(*connection_);
    return apply_migrations(session, Dialect::kPostgres);
  }

  Result<AppRecord> add(const NewApp& app) override {
    if (auto st = validate_new_app(app); !st.ok()) return st.take_error();
    for (int attempt = 1; attempt <= kAddAttempts; ++attempt) {
      auto key = new_app_token();
      if (!key.ok()) return key.take_error();
      auto secret = new_app_token();
      if (!secret.ok()) return secret.take_error();
      auto rows = connection_->execute(kInsert, {*key, *secret, app.label, app.owner_email,
                                                 number(app.processing_quota), boolean(app.admin), number(unix_now())});
      if (!rows.ok()) return rows.take_error();
      if (rows->count() == 1) return read_row(*rows, 0);
      // No row: the key exists already (ON CONFLICT DO NOTHING); draw again.
    }
    return Error(ErrorKind::kInternal, "could not draw an unused app key");
  }

  Result<std::vector<AppRecord>> list() override {
    auto rows = connection_->execute(kList);
    if (!rows.ok()) return rows.take_error();
    std::vector<AppRecord> apps;
    apps.reserve(static_cast<size_t>(rows->count()));
    for (int i = 0; i < rows->count(); ++i) {
      auto app = read_row(*rows, i);
      if (!app.ok()) return app.take_error();
      apps.push_back(std::move(app).value());
    }
    return apps;
  }

  Result<AppRecord> find(const std::string& key) override { return one_row(kFind, {key}); }

  Result<AppRecord> set_enabled(const std::string& key, bool enabled) override {
    return one_row(kSetEnabled, {key, boolean(enabled), number(unix_now())});
  }

  Result<AppRecord> set_quota(const std::string& key, int64_t quota) override {
    if (auto st = validate_quota(quota); !st.ok()) return st.take_error();
    return one_row(kSetQuota, {key, number(quota), number(unix_now())});
  }

  Result<AppRecord> rotate(const std::string& key, std::chrono::seconds grace) override {
    if (auto st = validate_grace(grace); !st.ok()) return st.take_error();
    auto secret = new_app_token();
    if (!secret.ok()) return secret.take_error();
    const int64_t now = unix_now();
    return one_row(kRotate, {key, *secret, number(grace.count() > 0 ? now + grace.count() : 0), number(now)});
  }

  Status remove(const std::string& key) override {
    auto rows = connection_->execute(returning(kRemove), {key});
    if (!rows.ok()) return rows.take_error();
    if (rows->count() == 0) return unknown_key();
    return ok_status();
  }

  Result<int64_t> change_counter() override {
    auto counter = PostgresSession(*connection_).query_int(kCounter);
    if (!counter.ok()) return counter.take_error();
    if (!counter->has_value()) return Error(ErrorKind::kUnavailable, "PostgreSQL: the change counter row is missing");
    return **counter;
  }

  Status wait_for_change(std::chrono::milliseconds timeout) override {
    return connection_->wait_for_notification(timeout);
  }

  Status ping() override {
    auto rows = connection_->execute("SELECT 1");
    if (!rows.ok()) return rows.take_error();
    return ok_status();
  }

  std::string_view kind() const override { return "postgres"; }

 private:
  // The one row a statement on a key returns; kNotFound when it returns none.
  Result<AppRecord> one_row(std::string_view sql, const Params& params) {
    auto rows = connection_->execute(sql, params);
    if (!rows.ok()) return rows.take_error();
    if (rows->count() == 0) return unknown_key();
    return read_row(*rows, 0);
  }

  std::unique_ptr<PostgresConnection> connection_;
};

}  // namespace

}  // namespace imgflo::apps::postgres_store

namespace imgflo::apps {

Result<std::unique_ptr<AppStore>> open_postgres_app_store(const DatabaseUrl& url, const PostgresOptions& options) {
  auto connection = PostgresConnection::connect(url, options);
  if (!connection.ok()) return connection.take_error();
  auto store = std::make_unique<postgres_store::PostgresAppStore>(std::move(connection).value());
  if (auto st = store->prepare(); !st.ok()) return st.take_error();
  return std::unique_ptr<AppStore>(std::move(store));
}

Result<std::unique_ptr<AppStore>> open_postgres_app_store(const DatabaseUrl& url) {
  return open_postgres_app_store(url, PostgresOptions::from_environment());
}

}  // namespace imgflo::apps
