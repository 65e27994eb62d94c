// Local result storage: key validation, locations, temporaries, start-up
// clean-up. The Storage contract runs in storage_contract_test.cc.
#include "storage/local_storage.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace imgflo::storage {
namespace {

const std::string kKey = "b5774b2bd2c5c94535432dec55a205a712bc5326.jpg";

TEST(StorageKey, OnlyHashNamesAreValid) {
  EXPECT_TRUE(valid_key(kKey));
  EXPECT_TRUE(valid_key(kKey.substr(0, 40)));
  for (const std::string& bad : {std::string(""), std::string("../etc/passwd"), kKey + "/x", kKey.substr(0, 39),
                                std::string("B5774B2BD2C5C94535432DEC55A205A712BC5326.jpg"), kKey.substr(0, 40) + ".",
                                kKey.substr(0, 40) + "..png", kKey.substr(0, 40) + ".p-g",
                                kKey.substr(0, 40) + ".abcdefghijk"}) {
    EXPECT_FALSE(valid_key(bad)) << bad;
  }
  EXPECT_EQ(content_type_for_key(kKey), "image/jpeg");
  EXPECT_EQ(content_type_for_key(kKey.substr(0, 40)), "application/octet-stream");
}

// Round trips, overwrites, absent and invalid keys, concurrency: storage_contract_test.cc.
TEST(LocalStorage, LocationsKeysAndPaths) {
  const auto dir = test::scratch_dir("local-storage");
  auto store = LocalStorage::open(dir / "cache");
  ASSERT_TRUE(store.ok());
  auto loc = (*store)->put(kKey, "bytes", "image/jpeg");
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(*loc, "/cache/" + kKey);
  EXPECT_EQ((*store)->keys(), std::vector<std::string>{kKey});
  EXPECT_EQ((*store)->path_of(kKey), dir / "cache" / kKey);
  EXPECT_FALSE((*store)->path_of("../cache/" + kKey).has_value());
}

TEST(LocalStorage, StartUpRemovesOnlyStaleTemporaries) {
  // The folder may be shared (redis-local): another instance's write in
  // progress survives a start-up, a crash leftover (untouched for hours) does not.
  const auto dir = test::scratch_dir("local-storage-tmp");
  const auto stale = dir / (".tmp-deadinstance-" + kKey + ".abc123");
  const auto in_use = dir / (".tmp-otherinstance-" + kKey + ".def456");
  std::ofstream(stale) << "half a file";
  std::ofstream(in_use) << "being written";
  std::filesystem::last_write_time(stale, std::filesystem::file_time_type::clock::now() - std::chrono::hours(2));
  auto store = LocalStorage::open(dir);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->keys().empty());
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(std::filesystem::exists(in_use));
}

TEST(LocalStorage, WritesLeaveNoTemporaries) {
  const auto dir = test::scratch_dir("local-storage-put");
  auto store = LocalStorage::open(dir);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->put(kKey, "bytes", "image/png").ok());
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().filename().string(), kKey);
  }
  EXPECT_EQ(files, 1);
}

// Distinct valid keys: kKey's first 32 hex digits, then `i` as 8 more, ".jpg".
std::string numbered_key(int i) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(i));
  return kKey.substr(0, 32) + hex + ".jpg";
}

std::string content_of(int i) { return "result number " + std::to_string(i) + std::string(5000, 'x'); }

// Files in `dir` and its staging folder whose names are not valid keys (temporaries left behind).
int temporaries_in(const std::filesystem::path& dir) {
  int n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    n += e.is_directory() || valid_key(e.path().filename().string()) ? 0 : 1;
  }
  return n;
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// kBackground: put() returns before the fsync; the result is readable through
// the store at once (from its temporary), and flush() publishes it under its key.
TEST(LocalStorage, BackgroundResultsAreReadableAtOnceAndPublishedByFlush) {
  constexpr int kResults = 20;
  const auto dir = test::scratch_dir("local-storage-background");
  auto store = LocalStorage::open(dir, LocalStorage::Durability::kBackground);
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < kResults; ++i) {
    ASSERT_TRUE((*store)->put(numbered_key(i), content_of(i), "image/jpeg").ok());
    auto back = (*store)->get(numbered_key(i));
    ASSERT_TRUE(back.ok()) << i << ": " << back.error().message();
    EXPECT_EQ(*back, content_of(i));
    EXPECT_TRUE(*(*store)->exists(numbered_key(i)));
  }
  EXPECT_EQ((*store)->keys().size(), static_cast<size_t>(kResults));
  for (const auto& e : std::filesystem::directory_iterator(dir)) {  // the folder shows whole results only
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(e.is_directory() || valid_key(name)) << name;
  }
  (*store)->flush();
  for (int i = 0; i < kResults; ++i) {
    ASSERT_TRUE((*store)->path_of(numbered_key(i)).has_value()) << i;
    EXPECT_EQ(file_text(dir / numbered_key(i)), content_of(i));
  }
  EXPECT_EQ(temporaries_in(dir), 0);
}

// More results than the background backlog holds (put() then publishes
// itself): closing the store publishes every one, and leaves no temporaries.
TEST(LocalStorage, BackgroundResultsArePublishedWhenTheStoreCloses) {
  constexpr int kResults = 150;
  const auto dir = test::scratch_dir("local-storage-close");
  {
    auto store = LocalStorage::open(dir, LocalStorage::Durability::kBackground);
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < kResults; ++i) ASSERT_TRUE((*store)->put(numbered_key(i), content_of(i), "image/jpeg").ok());
  }
  for (int i = 0; i < kResults; ++i) EXPECT_EQ(file_text(dir / numbered_key(i)), content_of(i)) << i;
  EXPECT_EQ(temporaries_in(dir), 0);
}

// Puts of one key in quick succession (a _nocache reprocess): whatever order
// the background publications finish in, the last put() is what stays.
TEST(LocalStorage, BackgroundOverwritesKeepTheLastPut) {
  constexpr int kVersions = 30;
  const auto dir = test::scratch_dir("local-storage-overwrite");
  auto store = LocalStorage::open(dir, LocalStorage::Durability::kBackground);
  ASSERT_TRUE(store.ok());
  for (int v = 0; v < kVersions; ++v) ASSERT_TRUE((*store)->put(kKey, content_of(v), "image/jpeg").ok());
  EXPECT_EQ(*(*store)->get(kKey), content_of(kVersions - 1));
  (*store)->flush();
  EXPECT_EQ(file_text(dir / kKey), content_of(kVersions - 1));
  EXPECT_EQ(*(*store)->get(kKey), content_of(kVersions - 1));
  EXPECT_EQ(temporaries_in(dir), 0);
}

// ping() (for /ready) writes and removes a temporary where results are written.
TEST(LocalStorage, PingWritesWhereResultsGo) {
  for (auto durability : {LocalStorage::Durability::kBeforeAnswer, LocalStorage::Durability::kBackground}) {
    const auto dir = test::scratch_dir("local-storage-ping-" + std::to_string(static_cast<int>(durability)));
    auto store = LocalStorage::open(dir, durability);
    ASSERT_TRUE(store.ok()) << store.error().message();
    Status st = (*store)->ping(std::chrono::milliseconds(100));
    EXPECT_TRUE(st.ok()) << st.error().message();
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      EXPECT_TRUE(entry.is_directory()) << "left behind: " << entry.path();
    }
    std::filesystem::remove_all(dir);
    st = (*store)->ping(std::chrono::milliseconds(100));
    ASSERT_FALSE(st.ok()) << "the folder is gone";
    EXPECT_EQ(st.error().kind(), ErrorKind::kUnavailable);
  }
}

}  // namespace
}  // namespace imgflo::storage
