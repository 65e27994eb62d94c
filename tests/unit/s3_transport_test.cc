// S3 storage against a scripted loopback origin: what is signed and sent, which answers are
// retried, timeouts. (The real-server behaviour is in s3_storage_test.cc, against moto.)
#include "core/digest.h"
#include "storage/s3_storage.h"
#include "support/test_origin.h"
#include "support/test_text.h"

#include <gtest/gtest.h>

#include <chrono>

namespace imgflo::storage {
namespace {

using test::ms_since;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kPngKey = "b5774b2bd2c5c94535432dec55a205a712bc5326.png";
const std::string kPath = "/bucket/p/" + kPngKey;

std::unique_ptr<S3Storage> store_for(const std::string& endpoint, int attempts = 3) {
  S3Config c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  c.bucket = "bucket";
  c.region = "eu-central-1";
  c.endpoint = endpoint;
  c.max_attempts = attempts;
  c.retry_backoff = 20ms;
  c.connect_timeout = 300ms;
  c.request_timeout = 400ms;
  auto s = S3Storage::create(std::move(c));
  EXPECT_TRUE(s.ok()) << s.error().message();
  return std::move(s).value();
}

test::OriginResponse xml_error(int status, const std::string& code) {
  test::OriginResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/xml"}};
  r.body = "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>scripted " + code +
           "</Message></Error>";
  return r;
}

TEST(S3Transport, PutIsSignedWithPayloadHashAndMetadata) {
  test::TestOrigin origin;
  origin.on(kPath, test::OriginResponse::ok("", "text/plain"));
  auto store = store_for("http://" + origin.host_port());
  auto loc = store->put(kPngKey, "", "image/png");  // an empty body: nothing left unread by the origin
  ASSERT_TRUE(loc.ok()) << loc.error().message();
  ASSERT_EQ(origin.requests().size(), 1u);
  const test::OriginRequest r = origin.requests()[0];  // requests() returns a copy
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, kPath);
  EXPECT_EQ(r.header("Content-Type"), "image/png");
  EXPECT_EQ(r.header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(r.header("x-amz-content-sha256"), sha256_hex(""));
  EXPECT_FALSE(r.header("x-amz-date").empty());
  const std::string auth = r.header("Authorization");
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0), 0u) << auth;
  EXPECT_NE(auth.find("/eu-central-1/s3/aws4_request"), std::string::npos) << auth;
  EXPECT_NE(auth.find("SignedHeaders=cache-control;content-type;host;x-amz-content-sha256;x-amz-date"),
            std::string::npos)
      << auth;
  EXPECT_EQ(auth.find("wJalrXUtnFEMI"), std::string::npos);
}

TEST(S3Transport, ServerErrorsAreRetriedThenUnavailable) {
  test::TestOrigin origin;
  origin.on(kPath, xml_error(500, "InternalError"));
  auto got = store_for("http://" + origin.host_port(), 3)->get(kPngKey);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind(), ErrorKind::kUnavailable);
  EXPECT_NE(got.error().message().find("InternalError"), std::string::npos) << got.error().message();
  EXPECT_EQ(origin.hits(kPath), 3);
}

TEST(S3Transport, ClientErrorsAreFinal) {
  test::TestOrigin origin;
  origin.on(kPath, xml_error(403, "AccessDenied"));
  auto store = store_for("http://" + origin.host_port(), 3);
  auto got = store->get(kPngKey);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind(), ErrorKind::kForbidden);
  EXPECT_EQ(origin.hits(kPath), 1);
  // A 404 on PUT is a missing bucket: an internal error, not "not found".
  origin.on(kPath, xml_error(404, "NoSuchBucket"));
  auto put = store->put(kPngKey, "", "image/png");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().kind(), ErrorKind::kInternal) << put.error().message();
  EXPECT_NE(put.error().message().find("NoSuchBucket"), std::string::npos);
  EXPECT_EQ(origin.hits(kPath), 2);
}

TEST(S3Transport, SlowAnswersTimeOut) {
  test::TestOrigin origin;
  auto slow = test::OriginResponse::ok("late", "text/plain");
  slow.delay = 3s;
  origin.on(kPath, slow);
  const auto t0 = Clock::now();
  auto got = store_for("http://" + origin.host_port(), 2)->get(kPngKey);
  const auto elapsed = ms_since(t0);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind(), ErrorKind::kUnavailable) << got.error().message();
  EXPECT_GE(elapsed, 800);  // two attempts of 400 ms
  EXPECT_LT(elapsed, 2000);
}

TEST(S3Transport, ConnectTimeoutIsUnavailable) {
  test::BlackholeListener hole;
  const auto t0 = Clock::now();
  auto got = store_for("http://127.0.0.1:" + std::to_string(hole.port()), 1)->get(kPngKey);
  const auto elapsed = ms_since(t0);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind(), ErrorKind::kUnavailable) << got.error().message();
  EXPECT_LT(elapsed, 1500);
}

TEST(S3Transport, OversizedObjectsAreRefused) {
  test::TestOrigin origin;
  origin.on(kPath, test::OriginResponse::ok(std::string(4096, 'x'), "image/png"));
  S3Config c = store_for("http://" + origin.host_port())->config();
  c.max_object_bytes = 1000;
  auto got = S3Storage::create(c).value()->get(kPngKey);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind(), ErrorKind::kInternal);
  EXPECT_EQ(origin.hits(kPath), 1);
}

}  // namespace
}  // namespace imgflo::storage
