// What only the SQLite store does (apps/sqlite_app_store.h): the file it
// creates, WAL mode, concurrent writers through the busy timeout, a file that
// goes away, app keys' format. The contract is app_store_contract_test.cc.
#include "apps/app_keys.h"
#include "apps/open_app_store.h"
#include "apps/sqlite_app_store.h"
#include "support/paths.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <thread>

namespace imgflo::apps::sqlite_test {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<AppStore> opened(const fs::path& file, CreateDatabase create = CreateDatabase::kIfMissing) {
  auto s = open_sqlite_app_store(file, create);
  EXPECT_TRUE(s.ok()) << s.error().message();
  return s.ok() ? std::move(s).value() : nullptr;
}

std::string journal_mode(const fs::path& file) {
  sqlite3* db = nullptr;
  std::string mode;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr);
    if (sqlite3_step(s) == SQLITE_ROW) mode = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
  }
  sqlite3_close_v2(db);
  return mode;
}

TEST(SqliteAppStore, CreatesItsFolderAndAnOwnerOnlyFileInWalMode) {
  const fs::path file = imgflo::test::scratch_dir("sqlite-apps-create") / "new" / "folder" / "imgflo.db";
  auto store = opened(file);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->add(NewApp{.owner_email = "a@b", .label = "x"}).ok());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  for (const char* suffix : {"-wal", "-shm"}) {
    const fs::path side = file.string() + suffix;
    ASSERT_EQ(::stat(side.c_str(), &st), 0) << side;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << side;
  }
  EXPECT_EQ(journal_mode(file), "wal");
  EXPECT_EQ(store->kind(), "sqlite");
}

TEST(SqliteAppStore, NeverCreatingLeavesAMissingFileMissing) {
  const fs::path file = imgflo::test::scratch_dir("sqlite-apps-never") / "imgflo.db";
  auto store = open_sqlite_app_store(file, CreateDatabase::kNever);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().kind(), ErrorKind::kUnavailable);
  EXPECT_NE(store.error().message().find(file.string()), std::string::npos) << store.error().message();
  EXPECT_FALSE(fs::exists(file));
}

TEST(SqliteAppStore, AFileThatIsNotADatabaseIsUnavailable) {
  const fs::path file = imgflo::test::scratch_dir("sqlite-apps-junk") / "imgflo.db";
  imgflo::test::write_file(file, std::string(4096, 'j'));
  auto store = open_sqlite_app_store(file);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().kind(), ErrorKind::kUnavailable) << store.error().message();
}

TEST(SqliteAppStore, ARemovedFileIsUnavailableNotAnOldCopy) {
  const fs::path file = imgflo::test::scratch_dir("sqlite-apps-removed") / "imgflo.db";
  auto store = opened(file);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->add(NewApp{.owner_email = "a@b", .label = "x"}).ok());
  ASSERT_TRUE(store->change_counter().ok());
  fs::remove(file);
  auto ping = store->ping();
  ASSERT_FALSE(ping.ok());
  EXPECT_EQ(ping.error().kind(), ErrorKind::kUnavailable);
  auto counter = store->change_counter();
  ASSERT_FALSE(counter.ok());
  EXPECT_EQ(counter.error().kind(), ErrorKind::kUnavailable);
  auto list = store->list();
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().kind(), ErrorKind::kUnavailable);
  EXPECT_NE(store->ping().error().message().find("removed or replaced"), std::string::npos);
}

TEST(SqliteAppStore, ConcurrentWritersQueueInsteadOfFailing) {
  const fs::path file = imgflo::test::scratch_dir("sqlite-apps-writers") / "imgflo.db";
  ASSERT_NE(opened(file), nullptr);  // created and migrated once
  constexpr int kWriters = 4, kEach = 25;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&] {
      auto store = open_sqlite_app_store(file);
      if (!store.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < kEach; ++i) {
        auto app = (*store)->add(NewApp{.owner_email = "a@b", .label = "w"});
        if (!app.ok() || !(*store)->set_quota(app->key, i).ok()) ++failures;
      }
    });
  }
  auto reader = opened(file);
  ASSERT_NE(reader, nullptr);
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(reader->list().ok());  // readers never wait for writers
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(reader->list()->size(), static_cast<size_t>(kWriters * kEach));
}

TEST(SqliteAppStore, OpenAppStoreReadsTheUrlAndRefusesPostgresUntilBuilt) {
  const fs::path file = imgflo::test::scratch_dir("sqlite-apps-url") / "imgflo.db";
  auto store = open_app_store("sqlite://" + file.string());
  ASSERT_TRUE(store.ok()) << store.error().message();
  EXPECT_EQ((*store)->kind(), "sqlite");
  auto bad = open_app_store("redis://localhost");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind(), ErrorKind::kInvalidArgument);
}

TEST(SqliteAppStore, TheWatchersOpenerCreatesOnlyOnItsFirstCall) {
  const fs::path file = imgflo::test::scratch_dir("sqlite-apps-opener") / "imgflo.db";
  AppStoreOpener open = app_store_opener("sqlite://" + file.string());
  ASSERT_TRUE(open().ok());
  EXPECT_TRUE(fs::exists(file));
  fs::remove(file);
  auto again = open();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind(), ErrorKind::kUnavailable);
  EXPECT_FALSE(fs::exists(file));
}

TEST(AppKeys, FifteenLowercaseHexFromTheCsprng) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    auto t = new_app_token();
    ASSERT_TRUE(t.ok());
    ASSERT_TRUE(is_app_token(*t)) << *t;
    seen.insert(*t);
  }
  EXPECT_EQ(seen.size(), 2000u);
  for (std::string_view bad : {"", "0123456789abcd", "0123456789abcdef", "0123456789ABCDE", "0123456789abcdg"}) {
    EXPECT_FALSE(is_app_token(bad)) << bad;
  }
}

}  // namespace
}  // namespace imgflo::apps::sqlite_test
