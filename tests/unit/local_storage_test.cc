// Local result storage: key validation, locations, temporaries, start-up
// clean-up. The Storage contract runs in storage_contract_test.cc.
#include "storage/local_storage.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

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

}  // namespace
}  // namespace imgflo::storage
