// The AppStore contract (apps/app_store.h), one suite for every store: each
// backend of app_store_backend.h hands the suite fresh databases by URL and
// the stores are opened the way the programs open them (open_app_store).
//
// What only one store does stays beside it (sqlite_app_store_test.cc,
// postgres_app_store_test.cc).
#include "app_store_backend.h"

#include "apps/app_input.h"
#include "apps/app_keys.h"
#include "apps/migrations.h"
#include "apps/open_app_store.h"
#include "support/paths.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <string>

namespace imgflo::apps::test {

AppStoreBackend sqlite_backend() {
  AppStoreBackend b;
  b.name = "sqlite";
  b.fresh_url = [] {
    static std::atomic<int> next{0};
    static const auto dir = imgflo::test::scratch_dir("app-store-contract");
    return "sqlite://" + (dir / ("apps-" + std::to_string(next++) + ".db")).string();
  };
  b.execute = [](const std::string& url, const std::string& sql) {
    auto parsed = parse_database_url(url);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    sqlite3* db = nullptr;
    const int opened = sqlite3_open_v2(parsed->path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
    char* error = nullptr;
    const int ran = opened == SQLITE_OK ? sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) : opened;
    EXPECT_EQ(ran, SQLITE_OK) << sql << ": " << (error ? error : sqlite3_errmsg(db));
    sqlite3_free(error);
    sqlite3_close_v2(db);
  };
  return b;
}

namespace {

// Every store the suite runs against. PostgreSQL's is added here, one line.
std::vector<AppStoreBackend> contract_backends() { return {sqlite_backend(), postgres_backend()}; }

const std::string kUnknownKey = "0123456789abcde";

int64_t seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

NewApp new_app(std::string label = "gallery", int64_t quota = 1, bool admin = false) {
  return NewApp{.owner_email = "owner@example.com", .label = std::move(label), .processing_quota = quota, .admin = admin};
}

class AppStoreContract : public ::testing::TestWithParam<AppStoreBackend> {
 protected:
  void SetUp() override {
    url_ = GetParam().fresh_url();
    store_ = open_store();
    ASSERT_NE(store_, nullptr);
  }

  // Another store (connection) on the same database.
  std::unique_ptr<AppStore> open_store() {
    auto s = open_app_store(url_);
    EXPECT_TRUE(s.ok()) << s.error().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  AppRecord added(const NewApp& app = new_app()) {
    auto r = store_->add(app);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? *r : AppRecord{};
  }

  std::string url_;
  std::unique_ptr<AppStore> store_;
};

TEST_P(AppStoreContract, AddCreatesAnEnabledAppWithTheOriginalsKeyFormat) {
  const int64_t before = seconds_now();
  const AppRecord app = added(new_app("Café ☕ gallery", 7, true));
  EXPECT_TRUE(is_app_token(app.key)) << app.key;
  EXPECT_TRUE(is_app_token(app.secret)) << app.secret;
  EXPECT_NE(app.key, app.secret);
  EXPECT_EQ(app.label, "Café ☕ gallery");
  EXPECT_EQ(app.owner_email, "owner@example.com");
  EXPECT_EQ(app.processing_quota, 7);
  EXPECT_TRUE(app.enabled);
  EXPECT_TRUE(app.admin);
  EXPECT_EQ(app.previous_secret, "");
  EXPECT_EQ(app.previous_secret_expires_at, 0);
  EXPECT_GE(app.created_at, before);
  EXPECT_LE(app.created_at, seconds_now());
  EXPECT_EQ(app.updated_at, app.created_at);
  EXPECT_EQ(store_->kind(), GetParam().name);

  const AppRecord plain = added(NewApp{.owner_email = "a@b", .label = "x"});
  EXPECT_EQ(plain.processing_quota, 1);  // the original's defaults
  EXPECT_FALSE(plain.admin);
  EXPECT_NE(plain.key, app.key);
}

TEST_P(AppStoreContract, ListHasEveryAppInCreationOrderAndFindReadsOne) {
  auto empty = store_->list();
  ASSERT_TRUE(empty.ok()) << empty.error().message();
  EXPECT_TRUE(empty->empty());
  const AppRecord a = added(new_app("a")), b = added(new_app("b")), c = added(new_app("c"));
  auto all = store_->list();
  ASSERT_TRUE(all.ok()) << all.error().message();
  ASSERT_EQ(all->size(), 3u);
  for (size_t i = 1; i < all->size(); ++i) {
    const AppRecord &x = (*all)[i - 1], &y = (*all)[i];
    EXPECT_TRUE(x.created_at < y.created_at || (x.created_at == y.created_at && x.key < y.key));
  }
  for (const AppRecord& want : {a, b, c}) {
    auto got = store_->find(want.key);
    ASSERT_TRUE(got.ok()) << got.error().message();
    EXPECT_EQ(got->label, want.label);
    EXPECT_EQ(got->secret, want.secret);
  }
}

TEST_P(AppStoreContract, EnableAndDisable) {
  const AppRecord app = added();
  auto off = store_->set_enabled(app.key, false);
  ASSERT_TRUE(off.ok()) << off.error().message();
  EXPECT_FALSE(off->enabled);
  EXPECT_GE(off->updated_at, app.updated_at);
  EXPECT_FALSE(store_->find(app.key)->enabled);
  auto on = store_->set_enabled(app.key, true);
  ASSERT_TRUE(on.ok()) << on.error().message();
  EXPECT_TRUE(on->enabled);
  EXPECT_TRUE(store_->find(app.key)->enabled);
  EXPECT_EQ(store_->find(app.key)->secret, app.secret);  // nothing else changed
}

TEST_P(AppStoreContract, SetQuota) {
  const AppRecord app = added();
  for (int64_t quota : {int64_t{0}, int64_t{5}, kMaxProcessingQuota}) {
    auto set = store_->set_quota(app.key, quota);
    ASSERT_TRUE(set.ok()) << set.error().message();
    EXPECT_EQ(set->processing_quota, quota);
    EXPECT_EQ(store_->find(app.key)->processing_quota, quota);
  }
}

TEST_P(AppStoreContract, RotateKeepsTheOldSecretForTheGracePeriod) {
  const AppRecord app = added();
  const int64_t before = seconds_now();
  auto rotated = store_->rotate(app.key, std::chrono::hours(24));
  ASSERT_TRUE(rotated.ok()) << rotated.error().message();
  EXPECT_TRUE(is_app_token(rotated->secret));
  EXPECT_NE(rotated->secret, app.secret);
  EXPECT_EQ(rotated->key, app.key);
  EXPECT_EQ(rotated->previous_secret, app.secret);
  EXPECT_GE(rotated->previous_secret_expires_at, before + 24 * 3600);
  EXPECT_LE(rotated->previous_secret_expires_at, seconds_now() + 24 * 3600);
  auto found = store_->find(app.key);
  EXPECT_EQ(found->secret, rotated->secret);
  EXPECT_EQ(found->previous_secret, app.secret);

  // A second rotation keeps only the secret it replaced; grace 0 keeps none.
  auto again = store_->rotate(app.key, std::chrono::seconds(30));
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->previous_secret, rotated->secret);
  auto now = store_->rotate(app.key, std::chrono::seconds(0));
  ASSERT_TRUE(now.ok()) << now.error().message();
  EXPECT_NE(now->secret, again->secret);
  EXPECT_EQ(now->previous_secret, "");
  EXPECT_EQ(now->previous_secret_expires_at, 0);
  EXPECT_EQ(store_->find(app.key)->previous_secret, "");
}

TEST_P(AppStoreContract, DeleteRemovesTheApp) {
  const AppRecord gone = added(new_app("gone")), kept = added(new_app("kept"));
  ASSERT_TRUE(store_->remove(gone.key).ok());
  auto find = store_->find(gone.key);
  ASSERT_FALSE(find.ok());
  EXPECT_EQ(find.error().kind(), ErrorKind::kNotFound);
  auto all = store_->list();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].key, kept.key);
  auto twice = store_->remove(gone.key);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().kind(), ErrorKind::kNotFound);
}

TEST_P(AppStoreContract, AnUnknownKeyIsNotFound) {
  added();
  for (const std::string& key : {kUnknownKey, std::string(), std::string("'; DROP TABLE applications; --")}) {
    EXPECT_EQ(store_->find(key).error().kind(), ErrorKind::kNotFound) << key;
    EXPECT_EQ(store_->set_enabled(key, false).error().kind(), ErrorKind::kNotFound) << key;
    EXPECT_EQ(store_->set_quota(key, 3).error().kind(), ErrorKind::kNotFound) << key;
    EXPECT_EQ(store_->rotate(key, std::chrono::seconds(60)).error().kind(), ErrorKind::kNotFound) << key;
    EXPECT_EQ(store_->remove(key).error().kind(), ErrorKind::kNotFound) << key;
  }
  EXPECT_EQ(store_->list()->size(), 1u);
}

TEST_P(AppStoreContract, InvalidInputIsRefusedAndWritesNothing) {
  const AppRecord app = added();
  const int64_t counter = *store_->change_counter();
  const std::vector<NewApp> bad = {
      {.owner_email = "", .label = "x"},
      {.owner_email = "nobody", .label = "x"},
      {.owner_email = "@example.com", .label = "x"},  // '@' must come after the first character
      {.owner_email = "a@b", .label = ""},
      {.owner_email = "a@b", .label = std::string(kMaxLabelBytes + 1, 'l')},
      {.owner_email = "a@b", .label = "bad \xff utf-8"},
      {.owner_email = "a@b", .label = "x", .processing_quota = -1},
      {.owner_email = "a@b", .label = "x", .processing_quota = kMaxProcessingQuota + 1},
  };
  for (const NewApp& b : bad) {
    auto r = store_->add(b);
    ASSERT_FALSE(r.ok()) << b.owner_email << " / " << b.label;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidArgument) << r.error().message();
  }
  EXPECT_EQ(store_->set_quota(app.key, -1).error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(store_->rotate(app.key, std::chrono::seconds(-1)).error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(store_->rotate(app.key, kMaxGrace + std::chrono::seconds(1)).error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(store_->list()->size(), 1u);
  EXPECT_EQ(*store_->change_counter(), counter);
  EXPECT_EQ(store_->find(app.key)->secret, app.secret);
}

TEST_P(AppStoreContract, EveryWriteThroughAnotherConnectionMovesTheCounter) {
  auto other = open_store();
  ASSERT_NE(other, nullptr);
  auto last = store_->change_counter();
  ASSERT_TRUE(last.ok()) << last.error().message();
  auto moved = [&](const char* what) {
    auto now = store_->change_counter();
    ASSERT_TRUE(now.ok()) << now.error().message();
    EXPECT_NE(*now, *last) << what;
    last = now;
  };
  auto app = other->add(new_app());
  ASSERT_TRUE(app.ok()) << app.error().message();
  moved("add");
  ASSERT_TRUE(other->set_enabled(app->key, false).ok());
  moved("disable");
  ASSERT_TRUE(other->set_enabled(app->key, true).ok());
  moved("enable");
  ASSERT_TRUE(other->set_quota(app->key, 9).ok());
  moved("set-quota");
  ASSERT_TRUE(other->rotate(app->key, std::chrono::seconds(60)).ok());
  moved("rotate");
  ASSERT_TRUE(other->remove(app->key).ok());
  moved("delete");
  // Reads leave it alone.
  ASSERT_TRUE(other->list().ok());
  EXPECT_EQ(other->find(app->key).error().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(*store_->change_counter(), *last);
  EXPECT_EQ(*other->change_counter(), *last);  // both connections see one counter
}

TEST_P(AppStoreContract, WaitForChangeReturnsWithinItsTimeout) {
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(store_->wait_for_change(std::chrono::milliseconds(50)).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(store_->ping().ok());
}

TEST_P(AppStoreContract, OpeningAgainKeepsTheDataAndTheSchema) {
  const AppRecord app = added(new_app("kept", 3, true));
  store_.reset();
  for (int i = 0; i < 2; ++i) {
    auto again = open_app_store(url_);
    ASSERT_TRUE(again.ok()) << again.error().message();
    auto all = (*again)->list();
    ASSERT_TRUE(all.ok()) << all.error().message();
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ((*all)[0].key, app.key);
    EXPECT_EQ((*all)[0].secret, app.secret);
    EXPECT_EQ((*all)[0].processing_quota, 3);
    EXPECT_TRUE((*all)[0].admin);
  }
}

TEST_P(AppStoreContract, ADatabaseOfANewerSchemaIsRefused) {
  store_.reset();
  const int newer = latest_schema_version() + 1;
  GetParam().execute(url_, "INSERT INTO imgflo_migrations (version, applied_at) VALUES (" + std::to_string(newer) +
                               ", 0)");
  auto refused = open_app_store(url_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind(), ErrorKind::kUnavailable);
  EXPECT_NE(refused.error().message().find("database schema v" + std::to_string(newer) + " is newer than this program"),
            std::string::npos)
      << refused.error().message();
}

INSTANTIATE_TEST_SUITE_P(Stores, AppStoreContract, ::testing::ValuesIn(contract_backends()),
                         [](const ::testing::TestParamInfo<AppStoreBackend>& info) { return info.param.name; });

}  // namespace
}  // namespace imgflo::apps::test
