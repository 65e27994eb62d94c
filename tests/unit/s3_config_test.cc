// S3 configuration: validation (all problems at once) and the URLs of both addressing styles. No
// network. The environment variables are read by app::Config (config_test.cc).
#include "storage/s3_config.h"
#include "storage/s3_storage.h"

#include <gtest/gtest.h>

namespace imgflo::storage {
namespace {

const std::string kKey = "b5774b2bd2c5c94535432dec55a205a712bc5326.jpg";

S3Config minimal() {
  S3Config c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "s3cr3t/+x";
  c.bucket = "imgflo-test";
  return c;
}

TEST(S3Config, DefaultsAreVirtualHostedAws) {
  const S3Config c = minimal();
  ASSERT_TRUE(c.validate().ok()) << c.validate().error().message();
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.folder, "p");
  EXPECT_EQ(c.cache_control, "public, max-age=31536000, immutable");
  EXPECT_EQ(c.effective_addressing(), S3Addressing::kVirtualHosted);
  EXPECT_EQ(c.object_url(c.object_key(kKey)), "https://imgflo-test.s3.us-east-1.amazonaws.com/p/" + kKey);
  EXPECT_EQ(c.public_base(), "https://imgflo-test.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(c.sigv4_provider(), "aws:amz:us-east-1:s3");
}

TEST(S3Config, RegionAndFolderShapeTheUrls) {
  S3Config c = minimal();
  c.region = "eu-west-1";
  c.folder = "results/v2";
  ASSERT_TRUE(c.validate().ok()) << c.validate().error().message();
  EXPECT_EQ(c.object_url(c.object_key(kKey)), "https://imgflo-test.s3.eu-west-1.amazonaws.com/results/v2/" + kKey);
  EXPECT_EQ(c.sigv4_provider(), "aws:amz:eu-west-1:s3");
  // An empty folder stores at the bucket root.
  c.folder = "";
  ASSERT_TRUE(c.validate().ok());
  EXPECT_EQ(c.object_key(kKey), kKey);
}

TEST(S3Config, EndpointMeansPathStyle) {
  S3Config c = minimal();
  c.endpoint = "http://127.0.0.1:4570/";
  ASSERT_TRUE(c.validate().ok()) << c.validate().error().message();
  EXPECT_EQ(c.effective_addressing(), S3Addressing::kPathStyle);
  EXPECT_EQ(c.object_url(c.object_key(kKey)), "http://127.0.0.1:4570/imgflo-test/p/" + kKey);
  EXPECT_EQ(c.public_base(), "http://127.0.0.1:4570/imgflo-test");
  // Virtual-hosted on a custom endpoint puts the bucket in front of the host.
  c.addressing = S3Addressing::kVirtualHosted;
  c.endpoint = "https://s3.example.net";
  ASSERT_TRUE(c.validate().ok()) << c.validate().error().message();
  EXPECT_EQ(c.object_url("p/x"), "https://imgflo-test.s3.example.net/p/x");
  // And path-style on AWS when asked for.
  c.endpoint.clear();
  c.addressing = S3Addressing::kPathStyle;
  EXPECT_EQ(c.object_url("p/x"), "https://s3.us-east-1.amazonaws.com/imgflo-test/p/x");
}

TEST(S3Config, PublicUrlIsTheLocationBase) {
  S3Config c = minimal();
  c.endpoint = "http://127.0.0.1:4570";
  c.public_url = "https://cdn.example.com/imgflo/";
  auto store = S3Storage::create(c);
  ASSERT_TRUE(store.ok()) << store.error().message();
  EXPECT_EQ((*store)->location(kKey), "https://cdn.example.com/imgflo/p/" + kKey);
  // Requests still go to the endpoint.
  EXPECT_EQ((*store)->config().object_url((*store)->config().object_key(kKey)),
            "http://127.0.0.1:4570/imgflo-test/p/" + kKey);
  // Without a public URL the location is the object's own URL.
  c.public_url.clear();
  store = S3Storage::create(c);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->location(kKey), "http://127.0.0.1:4570/imgflo-test/p/" + kKey);
}

TEST(S3Config, MissingSettingsAreReportedTogether) {
  auto st = S3Config{}.validate();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kInvalidArgument);
  for (const char* name : {"AMAZON_API_ID", "AMAZON_API_TOKEN", "AMAZON_API_BUCKET"})
    EXPECT_NE(st.error().message().find(name), std::string::npos) << st.error().message();
}

TEST(S3Config, MalformedValuesAreReportedTogetherWithoutTheSecret) {
  S3Config c = minimal();
  c.bucket = "Bad_Bucket";
  c.region = "EU WEST";
  c.endpoint = "ftp://x";
  c.public_url = "cdn.example.com";
  c.folder = "a/../b";
  c.cache_control = "max-age=1\r\nX-Evil: 1";
  auto st = c.validate();
  ASSERT_FALSE(st.ok());
  const std::string& m = st.error().message();
  for (const char* name : {"AMAZON_API_BUCKET", "AMAZON_API_REGION", "IMGFLO_S3_ENDPOINT", "IMGFLO_S3_PUBLIC_URL",
                           "IMGFLO_S3_FOLDER", "IMGFLO_S3_CACHE_CONTROL"})
    EXPECT_NE(m.find(name), std::string::npos) << name << " not in: " << m;
  EXPECT_EQ(m.find("s3cr3t"), std::string::npos);
}

TEST(S3Config, EndpointShapes) {
  S3Config c;
  c.access_key_id = "k";
  c.secret_access_key = "s";
  c.bucket = "imgflo-test";
  for (const char* good : {"http://127.0.0.1:4570", "https://s3.example.net", "http://localhost:9000/"}) {
    c.endpoint = good;
    EXPECT_TRUE(c.validate().ok()) << good;
  }
  for (const char* bad : {"127.0.0.1:4570", "http://", "http://host:port", "http://host/path", "http://h:123456",
                          "http://user@host"}) {
    c.endpoint = bad;
    EXPECT_FALSE(c.validate().ok()) << bad;
  }
}

TEST(S3Config, CreateRefusesAnInvalidConfiguration) {
  auto store = S3Storage::create(S3Config{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().kind(), ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace imgflo::storage
