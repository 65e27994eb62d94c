// The PostgreSQL store's own behaviour, against the real test server
// (scripts/services/postgres.sh), one fresh database per test: LISTEN/NOTIFY
// wake-ups, TLS by default and POSTGRES_NOSSL, a killed connection, a wrong
// password, concurrent migrations. The AppStore contract itself runs in
// app_store_contract_test.cc against both stores.
#include "app_store_backend.h"

#include "apps/migrations.h"
#include "apps/postgres_app_store.h"
#include "apps/postgres_connection.h"
#include "support/postgres_database.h"
#include "support/service_env.h"
#include "support/test_text.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <thread>

namespace imgflo::apps {

namespace test {

// The contract suite's PostgreSQL: a fresh database per call, dropped when the test ends.
AppStoreBackend postgres_backend() {
  AppStoreBackend b;
  b.name = "postgres";
  b.fresh_url = [] { return ::imgflo::test::postgres_url_for_this_test(); };
  b.execute = [](const std::string& url, const std::string& sql) {
    auto parsed = parse_database_url(url);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    auto connection = PostgresConnection::connect(*parsed, PostgresOptions{});
    ASSERT_TRUE(connection.ok()) << connection.error().message();
    auto ran = (*connection)->execute(sql);
    EXPECT_TRUE(ran.ok()) << sql << ": " << ran.error().message();
  };
  return b;
}

}  // namespace test

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Sets (or unsets, for nullopt) an environment variable for one scope.
class PostgresEnvVar {
 public:
  PostgresEnvVar(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    set(value);
  }
  ~PostgresEnvVar() { set(old_); }
  PostgresEnvVar(const PostgresEnvVar&) = delete;
  PostgresEnvVar& operator=(const PostgresEnvVar&) = delete;

 private:
  void set(const std::optional<std::string>& v) {
    if (v) ::setenv(name_, v->c_str(), 1);
    else ::unsetenv(name_);
  }
  const char* name_;
  std::optional<std::string> old_;
};

class PostgresAppStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = ::imgflo::test::TestPostgresDatabase::create();
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_.emplace(std::move(db).value());
  }

  // A store on this test's database; nullptr (and a failure) if it cannot be opened.
  std::unique_ptr<AppStore> open_store(PostgresOptions options = {}) {
    auto store = open_postgres_app_store(db_->parsed(), options);
    EXPECT_TRUE(store.ok()) << store.error().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // A plain connection to this test's database (another client, not a store).
  std::unique_ptr<PostgresConnection> client(PostgresOptions options = {}) {
    DatabaseUrl url = db_->parsed();
    url.options = "application_name=imgflo-test-client";
    auto c = PostgresConnection::connect(url, options);
    EXPECT_TRUE(c.ok()) << c.error().message();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  // Whether the server sees the stores' sessions on this database as TLS ("true"/"false"; "" if none).
  std::string store_sessions_ssl() {
    auto c = client();
    if (!c) return "";
    auto rows = c->execute(
        "SELECT bool_and(s.ssl)::text FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) "
        "WHERE a.datname = $1 AND a.application_name = 'imgflo-server'",
        {db_->name()});
    return rows.ok() && rows->count() == 1 ? rows->text(0, 0) : "";
  }

  std::optional<::imgflo::test::TestPostgresDatabase> db_;
};

TEST_F(PostgresAppStoreTest, NotifyFromAnotherConnectionWakesWaitForChangePromptly) {
  auto watcher = open_store();
  auto writer = open_store();
  ASSERT_TRUE(watcher && writer);
  auto before = watcher->change_counter();
  ASSERT_TRUE(before.ok()) << before.error().message();

  // Nothing written: the wait lasts its timeout (so a prompt return below means a notification).
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(watcher->wait_for_change(milliseconds(300)).ok());
  EXPECT_GE(::imgflo::test::ms_since(t0), 280);

  // A store's write, while (or just before) the watcher waits up to 10 s.
  long long waited = -1;
  std::optional<Status> woke;
  std::thread waiting([&] {
    const auto w0 = std::chrono::steady_clock::now();
    woke.emplace(watcher->wait_for_change(seconds(10)));
    waited = ::imgflo::test::ms_since(w0);
  });
  auto app = writer->add({"owner@example.com", "notify", 1, false});
  waiting.join();
  ASSERT_TRUE(app.ok()) << app.error().message();
  ASSERT_TRUE(woke && woke->ok()) << (woke && !woke->ok() ? woke->error().message() : "no result");
  EXPECT_LT(waited, 2000);
  auto after = watcher->change_counter();
  ASSERT_TRUE(after.ok());
  EXPECT_NE(*after, *before);

  // Any client's committed write notifies too (the trigger, not the store, sends it).
  auto other = client();
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->execute("UPDATE applications SET label = 'renamed' WHERE key = $1", {app->key}).ok());
  t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(watcher->wait_for_change(seconds(10)).ok());
  EXPECT_LT(::imgflo::test::ms_since(t0), 2000);
  auto renamed = watcher->find(app->key);
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->label, "renamed");
}

TEST_F(PostgresAppStoreTest, TlsIsRequiredByDefault) {
  auto tls = client(PostgresOptions{});
  ASSERT_TRUE(tls);
  EXPECT_TRUE(tls->tls_in_use());
  PostgresOptions plain_options;
  plain_options.tls = false;
  auto plain = client(plain_options);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls_in_use());

  // The one-argument open reads POSTGRES_NOSSL; the server says how the store's session runs.
  {
    PostgresEnvVar nossl("POSTGRES_NOSSL", std::nullopt);
    auto store = open_postgres_app_store(db_->parsed());
    ASSERT_TRUE(store.ok()) << store.error().message();
    EXPECT_EQ(store_sessions_ssl(), "true");
  }
  {
    PostgresEnvVar nossl("POSTGRES_NOSSL", "1");
    auto store = open_postgres_app_store(db_->parsed());
    ASSERT_TRUE(store.ok()) << store.error().message();
    EXPECT_EQ(store_sessions_ssl(), "false");
  }
}

TEST_F(PostgresAppStoreTest, KilledConnectionIsUnavailableAndANewStoreReconnects) {
  auto store = open_store();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->add({"owner@example.com", "survives", 1, false}).ok());
  auto admin = client();
  ASSERT_TRUE(admin);
  auto killed = admin->execute(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = "
      "'imgflo-server'",
      {db_->name()});
  ASSERT_TRUE(killed.ok()) << killed.error().message();
  ASSERT_EQ(killed->count(), 1);

  // The store's own write notified it too: waits return at once until the loss is read.
  const auto t0 = std::chrono::steady_clock::now();
  Status waited = ok_status();
  while (waited.ok() && ::imgflo::test::ms_since(t0) < 5000) waited = store->wait_for_change(seconds(5));
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.error().kind(), ErrorKind::kUnavailable);
  EXPECT_LT(::imgflo::test::ms_since(t0), 2000);
  auto listed = store->list();
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().kind(), ErrorKind::kUnavailable);
  EXPECT_EQ(store->ping().ok(), false);

  auto again = open_store();
  ASSERT_TRUE(again);
  auto apps = again->list();
  ASSERT_TRUE(apps.ok()) << apps.error().message();
  ASSERT_EQ(apps->size(), 1u);
  EXPECT_EQ((*apps)[0].label, "survives");
}

TEST_F(PostgresAppStoreTest, WrongPasswordIsUnavailableWithoutThePassword) {
  DatabaseUrl url = db_->parsed();
  const std::string right = url.password;
  url.password = "not-the-password-" + ::imgflo::test::fresh_key("pg", "").substr(0, 8);
  auto store = open_postgres_app_store(url, PostgresOptions{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().kind(), ErrorKind::kUnavailable);
  const std::string& message = store.error().message();
  EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
  EXPECT_EQ(message.find(url.password), std::string::npos) << message;
  EXPECT_EQ(message.find(right), std::string::npos) << message;
}

TEST_F(PostgresAppStoreTest, FrontendsStartingAtOnceMigrateOnce) {
  constexpr int kOpeners = 4;
  std::vector<std::optional<Status>> opened(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      auto store = open_postgres_app_store(db_->parsed(), PostgresOptions{});
      opened[static_cast<size_t>(i)].emplace(store.ok() ? ok_status() : Status(store.error()));
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& st : opened) {
    ASSERT_TRUE(st.has_value());
    EXPECT_TRUE(st->ok()) << st->error().message();
  }
  auto c = client();
  ASSERT_TRUE(c);
  auto rows = c->execute("SELECT count(*), max(version) FROM imgflo_migrations");
  ASSERT_TRUE(rows.ok()) << rows.error().message();
  EXPECT_EQ(rows->text(0, 0), std::to_string(latest_schema_version()));
  EXPECT_EQ(rows->text(0, 1), std::to_string(latest_schema_version()));
}

TEST_F(PostgresAppStoreTest, NewerSchemaIsRefused) {
  ASSERT_TRUE(open_store());
  auto c = client();
  ASSERT_TRUE(c);
  const std::string newer = std::to_string(latest_schema_version() + 1);
  ASSERT_TRUE(c->execute("INSERT INTO imgflo_migrations (version, applied_at) VALUES ($1, 0)", {newer}).ok());
  auto store = open_postgres_app_store(db_->parsed(), PostgresOptions{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().kind(), ErrorKind::kUnavailable);
  EXPECT_NE(store.error().message().find("v" + newer + " is newer"), std::string::npos) << store.error().message();
}

// No server needed: these run in the plain unit set.
TEST(PostgresOptionsTest, PostgresNosslTurnsTlsOff) {
  const std::pair<std::optional<std::string>, bool> cases[] = {
      {std::nullopt, true}, {"", true}, {"0", true}, {"false", true}, {"1", false}, {"yes", false}};
  for (const auto& [value, tls] : cases) {
    PostgresEnvVar env("POSTGRES_NOSSL", value);
    EXPECT_EQ(PostgresOptions::from_environment().tls, tls) << value.value_or("(unset)");
  }
}

TEST(PostgresOptionsTest, UnreachableServerIsUnavailableQuickly) {
  DatabaseUrl url;
  url.kind = DatabaseUrl::Kind::kPostgres;
  url.host = "127.0.0.1";
  url.port = static_cast<uint16_t>(::imgflo::test::closed_port());
  url.user = "nobody";
  url.password = "pw-never-shown";
  url.database = "nothing";
  const auto t0 = std::chrono::steady_clock::now();
  auto store = open_postgres_app_store(url, PostgresOptions{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().kind(), ErrorKind::kUnavailable);
  EXPECT_LT(::imgflo::test::ms_since(t0), 3000);
  EXPECT_NE(store.error().message().find("nobody@127.0.0.1:" + std::to_string(url.port) + "/nothing"),
            std::string::npos)
      << store.error().message();
  EXPECT_EQ(store.error().message().find("pw-never-shown"), std::string::npos);
}

}  // namespace
}  // namespace imgflo::apps
