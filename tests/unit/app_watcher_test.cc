// AppWatcher (apps/app_watcher.h) on a real SQLite file: the first load, a
// change made through another connection arriving within the poll interval,
// a database that goes away (the last apps kept, status() stale) and comes
// back, a store that starts failing, a callback that throws, a prompt stop.
// Conditions are polled with deadlines; nothing sleeps to synchronise.
#include "apps/app_watcher.h"
#include "apps/open_app_store.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

namespace imgflo::apps::watcher_test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr AppWatcherOptions kFast{.poll = milliseconds(50), .reconnect_min = milliseconds(20),
                                  .reconnect_max = milliseconds(100)};

// Polls `condition` every 10 ms until it holds or `deadline` passes.
bool eventually(const std::function<bool()>& condition, milliseconds deadline = milliseconds(5000)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

// What on_apps received, readable from the test thread.
class Received {
 public:
  AppWatcher::OnApps callback() {
    return [this](std::vector<AppRecord> apps) {
      std::lock_guard lock(mu_);
      last_ = std::move(apps);
      ++calls_;
    };
  }
  std::vector<AppRecord> last() const {
    std::lock_guard lock(mu_);
    return last_;
  }
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  bool has_label(const std::string& label) const {
    std::lock_guard lock(mu_);
    return std::any_of(last_.begin(), last_.end(), [&](const AppRecord& a) { return a.label == label; });
  }

 private:
  mutable std::mutex mu_;
  std::vector<AppRecord> last_;
  int calls_ = 0;
};

class AppWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = imgflo::test::scratch_dir("app-watcher");
    file_ = dir_ / "imgflo.db";
    url_ = "sqlite://" + file_.string();
    writer_ = open_writer();
  }

  std::unique_ptr<AppStore> open_writer() {
    auto s = open_app_store(url_);
    EXPECT_TRUE(s.ok()) << s.error().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  void add(const std::string& label) {
    ASSERT_NE(writer_, nullptr);
    auto app = writer_->add(NewApp{.owner_email = "a@b", .label = label});
    ASSERT_TRUE(app.ok()) << app.error().message();
  }

  // The database file and its WAL side files gone, as an operator's rm would leave it.
  void remove_database() {
    writer_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file_.string() + suffix);
  }

  fs::path dir_, file_;
  std::string url_;
  std::unique_ptr<AppStore> writer_;
  Received received_;
};

TEST_F(AppWatcherTest, StartLoadsEveryAppBeforeItReturns) {
  add("one");
  add("two");
  AppWatcher watcher(app_store_opener(url_), received_.callback(), kFast);
  ASSERT_TRUE(watcher.start().ok());
  EXPECT_EQ(received_.calls(), 1);
  EXPECT_EQ(received_.last().size(), 2u);
  EXPECT_TRUE(watcher.status().ok());
  auto twice = watcher.start();
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().kind(), ErrorKind::kInternal);
  EXPECT_EQ(received_.calls(), 1);
}

TEST_F(AppWatcherTest, StartFailsWhenTheDatabaseCannotBeOpened) {
  AppWatcher watcher([] { return open_app_store("sqlite://" + (fs::path("/proc/no-such-dir") / "imgflo.db").string()); },
                     received_.callback(), kFast);
  auto st = watcher.start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kUnavailable) << st.error().message();
  EXPECT_EQ(received_.calls(), 0);
}

TEST_F(AppWatcherTest, AChangeThroughAnotherConnectionArrivesWithinThePollInterval) {
  add("first");
  AppWatcher watcher(app_store_opener(url_), received_.callback(), kFast);
  ASSERT_TRUE(watcher.start().ok());
  const auto start = std::chrono::steady_clock::now();
  add("second");
  ASSERT_TRUE(eventually([&] { return received_.has_label("second"); }));
  // One poll (50 ms) plus a reload; the bound leaves room for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
  EXPECT_EQ(received_.last().size(), 2u);

  const int calls = received_.calls();
  ASSERT_TRUE(writer_->remove(received_.last().front().key).ok());
  ASSERT_TRUE(eventually([&] { return received_.last().size() == 1; }));
  EXPECT_GT(received_.calls(), calls);
}

TEST_F(AppWatcherTest, ALostDatabaseKeepsTheLastAppsAndSaysStaleThenRecovers) {
  add("kept");
  AppWatcher watcher(app_store_opener(url_), received_.callback(), kFast);
  ASSERT_TRUE(watcher.start().ok());
  remove_database();
  ASSERT_TRUE(eventually([&] { return !watcher.status().ok(); }));
  const Status stale = watcher.status();
  EXPECT_EQ(stale.error().kind(), ErrorKind::kUnavailable);
  EXPECT_EQ(stale.error().message().rfind("apps stale since ", 0), 0u) << stale.error().message();
  EXPECT_FALSE(fs::exists(file_));  // reconnecting never made an empty database
  ASSERT_EQ(received_.last().size(), 1u);
  EXPECT_EQ(received_.last()[0].label, "kept");

  writer_ = open_writer();  // the database is back (here: a new one)
  add("after");
  ASSERT_TRUE(eventually([&] { return watcher.status().ok() && received_.has_label("after"); }));
  EXPECT_EQ(received_.last().size(), 1u);
}

// A store whose every call fails while `broken` is set (a database that stops answering).
class BreakableStore final : public AppStore {
 public:
  BreakableStore(std::unique_ptr<AppStore> inner, const std::atomic<bool>& broken)
      : inner_(std::move(inner)), broken_(broken) {}
  Result<AppRecord> add(const NewApp& app) override { return inner_->add(app); }
  Result<std::vector<AppRecord>> list() override {
    if (broken_) return down();
    return inner_->list();
  }
  Result<AppRecord> find(const std::string& key) override { return inner_->find(key); }
  Result<AppRecord> set_enabled(const std::string& key, bool e) override { return inner_->set_enabled(key, e); }
  Result<AppRecord> set_quota(const std::string& key, int64_t q) override { return inner_->set_quota(key, q); }
  Result<AppRecord> rotate(const std::string& key, std::chrono::seconds g) override { return inner_->rotate(key, g); }
  Status remove(const std::string& key) override { return inner_->remove(key); }
  Result<int64_t> change_counter() override {
    if (broken_) return down();
    return inner_->change_counter();
  }
  Status wait_for_change(milliseconds timeout) override { return inner_->wait_for_change(timeout); }
  Status ping() override { return inner_->ping(); }
  std::string_view kind() const override { return inner_->kind(); }

 private:
  static Error down() { return Error(ErrorKind::kUnavailable, "database went away"); }
  std::unique_ptr<AppStore> inner_;
  const std::atomic<bool>& broken_;
};

TEST_F(AppWatcherTest, AFailingStoreKeepsTheAppsAndReconnectsWhenItAnswersAgain) {
  add("kept");
  std::atomic<bool> broken{false};
  std::atomic<int> opens{0};
  auto open = [&]() -> Result<std::unique_ptr<AppStore>> {
    ++opens;
    if (broken) return Error(ErrorKind::kUnavailable, "connection refused");
    auto inner = open_app_store(url_);
    if (!inner.ok()) return inner.take_error();
    return std::unique_ptr<AppStore>(std::make_unique<BreakableStore>(std::move(inner).value(), broken));
  };
  AppWatcher watcher(open, received_.callback(), kFast);
  ASSERT_TRUE(watcher.start().ok());
  broken = true;
  ASSERT_TRUE(eventually([&] { return !watcher.status().ok(); }));
  const int opens_when_stale = opens.load();
  ASSERT_TRUE(eventually([&] { return opens.load() >= opens_when_stale + 2; }));  // retrying, with a backoff
  EXPECT_NE(watcher.status().error().message().find("connection refused"), std::string::npos);
  EXPECT_EQ(received_.last().size(), 1u);

  add("meanwhile");
  broken = false;
  ASSERT_TRUE(eventually([&] { return watcher.status().ok() && received_.has_label("meanwhile"); }));
}

TEST_F(AppWatcherTest, ACallbackThatThrowsFailsStartAndNeverEscapes) {
  add("x");
  AppWatcher watcher(app_store_opener(url_), [](std::vector<AppRecord>) { throw std::runtime_error("bug"); }, kFast);
  auto st = watcher.start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kInternal);
}

TEST_F(AppWatcherTest, TheDestructorStopsWithinAboutOnePoll) {
  AppWatcherOptions options;  // the defaults: a 1 s poll
  auto watcher = std::make_unique<AppWatcher>(app_store_opener(url_), received_.callback(), options);
  ASSERT_TRUE(watcher->start().ok());
  add("seen");  // once it arrives, the thread is in its loop (waiting for the next poll)
  ASSERT_TRUE(eventually([&] { return received_.has_label("seen"); }));
  const auto start = std::chrono::steady_clock::now();
  watcher.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2500));
}

}  // namespace
}  // namespace imgflo::apps::watcher_test
