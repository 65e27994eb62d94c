// Cache indexes composed from parts: a store-backed index, and one index in
// front of another (the original's redis-local / redis-s3 shapes).
#include "cache/layered_index.h"
#include "cache/memory_cache_index.h"
#include "cache/storage_index.h"
#include "storage/local_storage.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <future>

namespace imgflo::cache {
namespace {

const std::string kKey = "b5774b2bd2c5c94535432dec55a205a712bc5326.jpg";

Result<std::optional<std::string>> lookup(CacheIndex& index, const std::string& key) {
  std::promise<Result<std::optional<std::string>>> p;
  auto f = p.get_future();
  index.get(key, [&p](Result<std::optional<std::string>> r) { p.set_value(std::move(r)); });
  return f.get();
}

// A primary that is down.
class DownIndex final : public CacheIndex {
 public:
  void get(const std::string&, LookupCallback done) override { done(Error(ErrorKind::kUnavailable, "down")); }
  Status put(const std::string&, const std::string&) override { return Error(ErrorKind::kUnavailable, "down"); }
  Status ping(std::chrono::milliseconds) override { return Error(ErrorKind::kUnavailable, "down"); }
};

// ping() (for /ready): a layered index needs both parts; a storage index asks the store.
TEST(LayeredIndex, PingNeedsBothParts) {
  auto store = storage::LocalStorage::open(test::scratch_dir("layered-ping"));
  ASSERT_TRUE(store.ok());
  auto memory = std::make_shared<MemoryCacheIndex>();
  EXPECT_TRUE(LayeredIndex(memory, std::make_shared<StorageIndex>(**store)).ping(std::chrono::milliseconds(100)).ok());
  Status st = LayeredIndex(std::make_shared<DownIndex>(), memory).ping(std::chrono::milliseconds(100));
  EXPECT_FALSE(st.ok());
  st = LayeredIndex(memory, std::make_shared<DownIndex>()).ping(std::chrono::milliseconds(100));
  EXPECT_FALSE(st.ok());
}

TEST(StorageIndex, AnswersFromTheStore) {
  auto store = storage::LocalStorage::open(test::scratch_dir("storage-index"));
  ASSERT_TRUE(store.ok());
  StorageIndex index(**store);
  EXPECT_FALSE(lookup(index, kKey)->has_value());
  ASSERT_TRUE((*store)->put(kKey, "x", "image/jpeg").ok());
  EXPECT_EQ(**lookup(index, kKey), "/cache/" + kKey);
}

TEST(LayeredIndex, FallbackHitsAreCopiedIntoThePrimary) {
  auto store = storage::LocalStorage::open(test::scratch_dir("layered-index"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->put(kKey, "x", "image/jpeg").ok());
  auto primary = std::make_shared<MemoryCacheIndex>();
  LayeredIndex layered(primary, std::make_shared<StorageIndex>(**store));
  EXPECT_EQ(primary->size(), 0u);
  EXPECT_EQ(**lookup(layered, kKey), "/cache/" + kKey);
  EXPECT_EQ(primary->size(), 1u);  // filled on the way
  EXPECT_FALSE(lookup(layered, std::string(40, 'a'))->has_value());
  ASSERT_TRUE(layered.put("k2", "u2").ok());
  EXPECT_EQ(**lookup(*primary, "k2"), "u2");
}

TEST(LayeredIndex, PrimaryOutageFallsThrough) {
  auto fallback = std::make_shared<MemoryCacheIndex>();
  ASSERT_TRUE(fallback->put("k", "u").ok());
  LayeredIndex layered(std::make_shared<DownIndex>(), fallback);
  EXPECT_EQ(**lookup(layered, "k"), "u");
  EXPECT_FALSE(layered.put("k", "u").ok());
}

}  // namespace
}  // namespace imgflo::cache
