// The Storage contract (storage/storage.h), one suite run against both
// implementations: "local" (LocalStorage in a scratch folder, publishing
// before put() returns), "local_background" (publishing in the background) and "s3"
// (S3Storage on the moto_server of scripts/services/moto.sh, settings from
// IMGFLO_TEST_S3_* or build/test-services/services.env; FAILS without it).
//
// What only one implementation does stays in local_storage_test.cc
// (temporaries, start-up clean-up) and s3_storage_test.cc (signing errors,
// retries, metadata, addressing).
#include "core/digest.h"
#include "storage/local_storage.h"
#include "storage/s3_storage.h"
#include "support/paths.h"
#include "support/service_env.h"
#include "support/test_text.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

namespace imgflo::storage {
namespace {

using test::random_bytes;

// A key no other test (or parallel test process) uses.
std::string contract_key(const std::string& ext = "png") { return test::fresh_key("storage-contract", ext); }

// The test moto_server's bucket, or nullptr (with a failure naming what is missing).
std::unique_ptr<S3Storage> moto_storage() {
  S3Config c;
  auto endpoint = test::test_service("IMGFLO_TEST_S3_ENDPOINT"), bucket = test::test_service("IMGFLO_TEST_S3_BUCKET");
  auto key_id = test::test_service("IMGFLO_TEST_S3_KEY"), secret = test::test_service("IMGFLO_TEST_S3_SECRET");
  if (!endpoint || !bucket || !key_id || !secret) {
    ADD_FAILURE() << "IMGFLO_TEST_S3_* not set and not in build/test-services/services.env; start moto with: "
                     "scripts/services/moto.sh start build/test-services";
    return nullptr;
  }
  c.endpoint = *endpoint;
  c.bucket = *bucket;
  c.access_key_id = *key_id;
  c.secret_access_key = *secret;
  auto s = S3Storage::create(std::move(c));
  if (!s.ok()) ADD_FAILURE() << s.error().message();
  return s.ok() ? std::move(s).value() : nullptr;
}

class StorageContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam().starts_with("local")) {
      const auto durability = GetParam() == "local_background" ? LocalStorage::Durability::kBackground
                                                               : LocalStorage::Durability::kBeforeAnswer;
      auto local = LocalStorage::open(test::scratch_dir("storage-contract"), durability);
      ASSERT_TRUE(local.ok()) << local.error().message();
      store_ = std::move(local).value();
      return;
    }
    auto s3 = moto_storage();
    ASSERT_NE(s3, nullptr);
    store_ = std::move(s3);
    auto probe = store_->exists(contract_key());
    ASSERT_TRUE(probe.ok()) << probe.error().message();
  }

  std::unique_ptr<Storage> store_;
};

TEST_P(StorageContract, PutReturnsTheLocationAndGetReadsTheBytesBack) {
  const std::string key = contract_key();
  const std::string bytes = random_bytes(1000, 1);  // binary, with NULs
  ASSERT_FALSE(*store_->exists(key));
  auto loc = store_->put(key, bytes, "image/png");
  ASSERT_TRUE(loc.ok()) << loc.error().message();
  EXPECT_EQ(*loc, store_->location(key));
  EXPECT_NE(loc->find(key), std::string::npos);
  auto exists = store_->exists(key);
  ASSERT_TRUE(exists.ok()) << exists.error().message();
  EXPECT_TRUE(*exists);
  auto back = store_->get(key);  // visible as soon as put() returned
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_TRUE(*back == bytes);
}

TEST_P(StorageContract, RoundTripOfSeveralSizes) {
  for (size_t size : {size_t{0}, size_t{1024}, size_t{5} << 20}) {
    const std::string key = contract_key();
    const std::string bytes = random_bytes(size, static_cast<unsigned>(size + 1));
    ASSERT_TRUE(store_->put(key, bytes, "image/png").ok());
    auto back = store_->get(key);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back->size(), size);
    EXPECT_TRUE(*back == bytes) << "content differs for size " << size;
  }
}

TEST_P(StorageContract, AnOverwriteReplacesTheWholeResult) {
  const std::string key = contract_key();
  ASSERT_TRUE(store_->put(key, "first version", "image/png").ok());
  ASSERT_TRUE(store_->put(key, "second", "image/png").ok());  // a _nocache reprocess
  auto back = store_->get(key);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "second");
}

TEST_P(StorageContract, AnAbsentKeyIsNotFound) {
  const std::string key = contract_key("jpg");
  auto got = store_->get(key);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind(), ErrorKind::kNotFound) << got.error().message();
  auto exists = store_->exists(key);
  ASSERT_TRUE(exists.ok()) << exists.error().message();
  EXPECT_FALSE(*exists);
}

TEST_P(StorageContract, InvalidKeysAreRefused) {
  for (const std::string& bad :
       {std::string("../../etc/passwd"), std::string("p/x"), contract_key() + "/x", std::string(""),
        std::string(40, 'A') + ".png"}) {
    auto put = store_->put(bad, "x", "text/plain");
    ASSERT_FALSE(put.ok()) << bad;
    EXPECT_EQ(put.error().kind(), ErrorKind::kInternal) << bad;
    EXPECT_EQ(store_->get(bad).error().kind(), ErrorKind::kNotFound) << bad;
    auto exists = store_->exists(bad);
    EXPECT_TRUE(exists.ok() && !*exists) << bad;
  }
}

// Worker threads share one store.
TEST_P(StorageContract, ConcurrentPutsAndGetsFromSeveralThreads) {
  constexpr int kThreads = 4, kEach = 5;
  std::vector<std::string> failures[kThreads];
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string key = contract_key();
        const std::string bytes = random_bytes(20000 + i, static_cast<unsigned>(t * 100 + i));
        auto put = store_->put(key, bytes, "image/png");
        auto back = put.ok() ? store_->get(key) : Result<std::string>(put.error());
        if (!back.ok()) failures[t].push_back(back.error().message());
        else if (*back != bytes) failures[t].push_back("content differs for " + key);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_TRUE(failures[t].empty()) << "thread " << t << ": " << failures[t][0];
}

INSTANTIATE_TEST_SUITE_P(Implementations, StorageContract, ::testing::Values("local", "local_background", "s3"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace imgflo::storage
