// Redis URL parsing and client options (no server needed); the variables are read by app::Config.
#include "cache/redis_config.h"

#include <gtest/gtest.h>

namespace imgflo::cache {
namespace {

TEST(RedisUrl, HostPortAndDefaults) {
  auto ep = parse_redis_url("redis://cache.example:6390");
  ASSERT_TRUE(ep.ok()) << ep.error().message();
  EXPECT_EQ(ep->host, "cache.example");
  EXPECT_EQ(ep->port, 6390);
  EXPECT_EQ(ep->db, 0);
  EXPECT_EQ(ep->user, "");
  EXPECT_EQ(ep->password, "");
  auto bare = parse_redis_url("redis://localhost");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->port, 6379);
}

TEST(RedisUrl, PasswordUserAndDb) {
  auto ep = parse_redis_url("redis://:s3cr%40t@10.0.0.5:7000/3");
  ASSERT_TRUE(ep.ok()) << ep.error().message();
  EXPECT_EQ(ep->password, "s3cr@t");
  EXPECT_EQ(ep->user, "");
  EXPECT_EQ(ep->db, 3);
  // Heroku-style URL with a user name.
  auto cloud = parse_redis_url("redis://rediscloud:pa:ss@pub-redis.example.com:12345");
  ASSERT_TRUE(cloud.ok()) << cloud.error().message();
  EXPECT_EQ(cloud->user, "rediscloud");
  EXPECT_EQ(cloud->password, "pa:ss");  // only the first ':' separates user and password
  EXPECT_EQ(cloud->port, 12345);
  EXPECT_EQ(cloud->describe(), "pub-redis.example.com:12345/0");  // never the password
}

TEST(RedisUrl, Ipv6) {
  auto ep = parse_redis_url("redis://[::1]:6391/1");
  ASSERT_TRUE(ep.ok()) << ep.error().message();
  EXPECT_EQ(ep->host, "::1");
  EXPECT_EQ(ep->port, 6391);
  EXPECT_EQ(ep->describe(), "[::1]:6391/1");
  auto noport = parse_redis_url("redis://[::1]");
  ASSERT_TRUE(noport.ok()) << noport.error().message();
  EXPECT_EQ(noport->port, 6379);
}

TEST(RedisUrl, Rejects) {
  for (const char* bad : {"http://localhost:6379", "rediss://localhost:6380", "redis://", "redis://:pw@",
                          "redis://host:0", "redis://host:99999", "redis://host:abc", "redis://host:6379/x",
                          "redis://host:6379/-1", "redis://[::1", "redis://host/0?timeout=1", "redis://:%zz@host"}) {
    auto ep = parse_redis_url(bad);
    EXPECT_FALSE(ep.ok()) << bad;
    if (!ep.ok()) {
      EXPECT_EQ(ep.error().kind(), ErrorKind::kInvalidArgument) << bad;
    }
  }
  auto tls = parse_redis_url("rediss://h:1");
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.error().message().find("TLS"), std::string::npos);
  auto pw = parse_redis_url("redis://:hunter2@host:notaport");
  ASSERT_FALSE(pw.ok());
  EXPECT_EQ(pw.error().message().find("hunter2"), std::string::npos) << "the password must not leak into messages";
}

TEST(RedisSettings, OptionsValidate) {
  RedisClientOptions o;
  EXPECT_TRUE(o.validate().ok());
  o.connections = 0;
  o.backoff_max = std::chrono::milliseconds(1);
  auto st = o.validate();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("connections"), std::string::npos);
  EXPECT_NE(st.error().message().find("backoff"), std::string::npos);
}

}  // namespace
}  // namespace imgflo::cache
