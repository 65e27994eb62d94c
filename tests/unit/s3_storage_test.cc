// S3 storage against a real moto_server that checks Signature V4 (no mocks). What was stored is
// checked independently with `aws s3api` against the same endpoint. The Storage contract (round
// trips, overwrites, absent and invalid keys, concurrency) runs in storage_contract_test.cc.
//
// Needs the services of scripts/services/moto.sh (settings from IMGFLO_TEST_S3_* variables or
// build/test-services/services.env); without them every test here fails with a hint.
#include "core/digest.h"
#include "storage/s3_storage.h"
#include "support/service_env.h"
#include "support/test_text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

namespace imgflo::storage {
namespace {

using test::ms_since;
using test::random_bytes;
using test::shell_quote;

// A key no other test (or parallel test process) uses.
std::string s3_key(const std::string& ext = "png") { return test::fresh_key("s3-test", ext); }

using Clock = std::chrono::steady_clock;

constexpr const char* kHint =
    "S3 tests need moto_server with SigV4 checking. Start it with\n"
    "  scripts/services/moto.sh start build/test-services\n"
    "(or set IMGFLO_TEST_S3_ENDPOINT, IMGFLO_TEST_S3_BUCKET, IMGFLO_TEST_S3_KEY, IMGFLO_TEST_S3_SECRET).";

struct Moto {
  std::string endpoint, bucket, key, secret;
};

std::optional<Moto> moto() {
  auto e = test::test_service("IMGFLO_TEST_S3_ENDPOINT"), b = test::test_service("IMGFLO_TEST_S3_BUCKET"),
       k = test::test_service("IMGFLO_TEST_S3_KEY"), s = test::test_service("IMGFLO_TEST_S3_SECRET");
  if (!e || !b || !k || !s) return std::nullopt;
  return Moto{*e, *b, *k, *s};
}

// `aws s3api head-object` of FOLDER/KEY, parsed; null when the command fails.
nlohmann::json aws_head_object(const Moto& m, const std::string& object_key) {
  const std::string cmd =
      "AWS_ACCESS_KEY_ID=" + shell_quote(m.key) + " AWS_SECRET_ACCESS_KEY=" + shell_quote(m.secret) +
      " AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null"
      " aws --endpoint-url " + shell_quote(m.endpoint) + " s3api head-object --bucket " + shell_quote(m.bucket) +
      " --key " + shell_quote(object_key) + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return nullptr;
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  if (::pclose(p) != 0) return nullptr;
  return nlohmann::json::parse(out, nullptr, false);
}

using test::closed_port;

class S3StorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = moto();
    ASSERT_TRUE(m.has_value()) << kHint;
    moto_ = *m;
    store_ = make(config());
    ASSERT_NE(store_, nullptr);
    auto probe = store_->exists(s3_key());
    ASSERT_TRUE(probe.ok()) << probe.error().message() << "\n" << kHint;
  }

  S3Config config() const {
    S3Config c;
    c.access_key_id = moto_.key;
    c.secret_access_key = moto_.secret;
    c.bucket = moto_.bucket;
    c.endpoint = moto_.endpoint;
    return c;
  }

  static std::unique_ptr<S3Storage> make(S3Config c) {
    auto s = S3Storage::create(std::move(c));
    EXPECT_TRUE(s.ok()) << s.error().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  Moto moto_;
  std::unique_ptr<S3Storage> store_;
};

// Round trips, overwrites, absent and invalid keys, concurrency: storage_contract_test.cc.
TEST_F(S3StorageTest, LocationsAndAnswersNameTheObject) {
  const std::string key = s3_key();
  auto missing = store_->get(key);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("NoSuchKey"), std::string::npos) << missing.error().message();
  EXPECT_EQ(store_->head(key).error().kind(), ErrorKind::kNotFound);
  auto loc = store_->put(key, "five!", "image/png");
  ASSERT_TRUE(loc.ok()) << loc.error().message();
  EXPECT_EQ(*loc, moto_.endpoint + "/" + moto_.bucket + "/p/" + key);
  auto info = store_->head(key);
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->size, 5u);
  ASSERT_TRUE(store_->put(key, "second", "image/png").ok());
  EXPECT_EQ(aws_head_object(moto_, "p/" + key).value("ContentLength", -1), 6);
}

TEST_F(S3StorageTest, ContentTypeAndCacheControlAreStored) {
  const std::string key = s3_key("webp");
  ASSERT_TRUE(store_->put(key, random_bytes(300, 7), "image/webp").ok());
  const nlohmann::json meta = aws_head_object(moto_, "p/" + key);
  ASSERT_TRUE(meta.is_object()) << "aws s3api head-object failed for p/" << key;
  EXPECT_EQ(meta.value("ContentType", ""), "image/webp");
  EXPECT_EQ(meta.value("CacheControl", ""), "public, max-age=31536000, immutable");
  EXPECT_EQ(meta.value("ContentLength", -1), 300);
  // Our own HEAD reads the same (moto sends lower-case header names).
  auto info = store_->head(key);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->content_type, "image/webp");
  EXPECT_EQ(info->cache_control, "public, max-age=31536000, immutable");
  EXPECT_FALSE(info->etag.empty());

  // No content type given: derived from the key; Cache-Control as configured; another folder.
  S3Config c = config();
  c.cache_control = "max-age=86400";
  c.folder = "test/folder";
  auto other = make(c);
  const std::string jpg = s3_key("jpg");
  ASSERT_TRUE(other->put(jpg, "jpeg bytes", "").ok());
  const nlohmann::json meta2 = aws_head_object(moto_, "test/folder/" + jpg);
  ASSERT_TRUE(meta2.is_object());
  EXPECT_EQ(meta2.value("ContentType", ""), "image/jpeg");
  EXPECT_EQ(meta2.value("CacheControl", ""), "max-age=86400");
}

TEST_F(S3StorageTest, AvifAndJxlResultsCarryTheirContentType) {
  // As the processor stores them (runtime Output::content_type) and as derived from the key.
  for (const std::string ext : {"avif", "jxl"}) {
    const std::string given = s3_key(ext), derived = s3_key(ext);
    ASSERT_TRUE(store_->put(given, "bytes", "image/" + ext).ok());
    ASSERT_TRUE(store_->put(derived, "bytes", "").ok());
    for (const std::string& key : {given, derived}) {
      const nlohmann::json meta = aws_head_object(moto_, "p/" + key);
      ASSERT_TRUE(meta.is_object()) << key;
      EXPECT_EQ(meta.value("ContentType", ""), "image/" + ext) << key;
    }
  }
}

TEST_F(S3StorageTest, WrongSecretIsAClearForbiddenError) {
  S3Config c = config();
  c.secret_access_key = "wrong-" + moto_.secret.substr(6);
  c.retry_backoff = std::chrono::milliseconds(2000);  // a retry would show in the elapsed time
  auto bad = make(c);
  const auto t0 = Clock::now();
  auto put = bad->put(s3_key(), "bytes", "image/png");
  EXPECT_LT(ms_since(t0), 1500) << "a 403 must not be retried";
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().kind(), ErrorKind::kForbidden);
  const std::string& m = put.error().message();
  EXPECT_NE(m.find("SignatureDoesNotMatch"), std::string::npos) << m;
  EXPECT_NE(m.find("403"), std::string::npos) << m;
  EXPECT_EQ(m.find(c.secret_access_key), std::string::npos) << m;
  EXPECT_EQ(m.find(moto_.secret), std::string::npos) << m;
  std::printf("[ s3 ] wrong secret: %s\n", m.c_str());
  auto get = bad->get(s3_key());
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().kind(), ErrorKind::kForbidden) << get.error().message();
  EXPECT_NE(get.error().message().find("SignatureDoesNotMatch"), std::string::npos) << get.error().message();
  // A HEAD answer has no body, so no S3 error code; still kForbidden, never "absent".
  auto exists = bad->exists(s3_key());
  ASSERT_FALSE(exists.ok());
  EXPECT_EQ(exists.error().kind(), ErrorKind::kForbidden) << exists.error().message();
}

TEST_F(S3StorageTest, UnknownKeyIdIsForbidden) {
  S3Config c = config();
  c.access_key_id = "AKIAUNKNOWNKEY000000";
  auto put = make(c)->put(s3_key(), "bytes", "image/png");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().kind(), ErrorKind::kForbidden);
  EXPECT_NE(put.error().message().find("InvalidAccessKeyId"), std::string::npos) << put.error().message();
}

TEST_F(S3StorageTest, UnreachableEndpointIsPromptlyUnavailable) {
  S3Config c = config();
  c.endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  c.max_attempts = 3;
  c.retry_backoff = std::chrono::milliseconds(50);
  const auto t0 = Clock::now();
  auto put = make(c)->put(s3_key(), "bytes", "image/png");
  const auto elapsed = ms_since(t0);
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().kind(), ErrorKind::kUnavailable) << put.error().message();
  EXPECT_NE(put.error().message().find("3 attempt"), std::string::npos) << put.error().message();
  EXPECT_GE(elapsed, 150);  // two backoffs: 50 + 100 ms
  EXPECT_LT(elapsed, 2000);
}

// Virtual-hosted addressing against moto: libcurl resolves BUCKET.localhost to loopback, and
// moto takes the bucket from the Host header. The object must land in the same bucket.
TEST_F(S3StorageTest, VirtualHostedAddressingReachesTheSameBucket) {
  S3Config c = config();
  const size_t colon = moto_.endpoint.rfind(':');
  c.endpoint = "http://localhost" + moto_.endpoint.substr(colon);
  c.addressing = S3Addressing::kVirtualHosted;
  auto vh = make(c);
  const std::string key = s3_key();
  EXPECT_EQ(vh->location(key), "http://" + moto_.bucket + ".localhost" + moto_.endpoint.substr(colon) + "/p/" + key);
  ASSERT_TRUE(vh->put(key, "virtual", "image/png").ok());
  EXPECT_EQ(aws_head_object(moto_, "p/" + key).value("ContentLength", -1), 7);
  auto back = store_->get(key);  // path-style reads it back
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "virtual");
}

// ping() (for /ready) is one HEAD of the bucket: ok, forbidden or unavailable, within its timeout.
TEST_F(S3StorageTest, PingHeadsTheBucket) {
  Status st = store_->ping(std::chrono::milliseconds(2000));
  EXPECT_TRUE(st.ok()) << st.error().message();

  S3Config c = config();
  c.bucket = "imgflo-no-such-bucket";
  st = make(c)->ping(std::chrono::milliseconds(2000));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kUnavailable) << st.error().message();

  c = config();
  c.secret_access_key = "not-the-secret";
  st = make(c)->ping(std::chrono::milliseconds(2000));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kForbidden) << st.error().message();
  EXPECT_EQ(st.error().message().find("not-the-secret"), std::string::npos);
}

TEST_F(S3StorageTest, PingOfAClosedPortIsUnavailableAtOnce) {
  S3Config c = config();
  c.endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  const auto t0 = Clock::now();
  Status st = make(c)->ping(std::chrono::milliseconds(2000));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kUnavailable) << st.error().message();
  EXPECT_LT(ms_since(t0), 1000) << "one attempt, no retries";
}

}  // namespace
}  // namespace imgflo::storage
