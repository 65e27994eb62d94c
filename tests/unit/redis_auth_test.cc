// Authentication and database selection against a private redis-server with
// a password (requirepass) and an ACL user.
#include "cache/redis_cache_index.h"
#include "redis_test_util.h"
#include "support/paths.h"
#include "support/redis_server.h"

#include <gtest/gtest.h>

namespace imgflo::cache::testing {
namespace {

constexpr const char* kPassword = "correct-horse";

class RedisAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new test::RedisServerProcess(test::scratch_dir("redis-auth"),
                                           {"--requirepass", kPassword, "--user", "alice", "on", ">alice-pw", "~*",
                                            "&*", "+@all"});
    ASSERT_TRUE(server_->start()) << server_->error();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr); ASSERT_TRUE(server_->running()); }

  // The url's client: get() of a key, with the time it took.
  static Result<std::optional<std::string>> lookup(const std::string& url, double* ms = nullptr) {
    RedisClientOptions o;
    auto ep = parse_redis_url(url);
    if (!ep.ok()) return ep.take_error();
    o.endpoint = *ep;
    auto c = RedisClient::create(o);
    if (!c.ok()) return c.take_error();
    RedisCacheIndex index(*c, {});
    Capture<std::optional<std::string>> l;
    const auto t0 = Clock::now();
    index.get("auth.jpg", l.callback());
    auto r = l.wait();
    if (ms) *ms = ms_since(t0);
    if (!r) return Error(ErrorKind::kInternal, "no callback within 5 s");
    return std::move(*r);
  }
  std::string with_credentials(const std::string& userinfo, int db = 0) const {
    std::string url = "redis://" + userinfo + "@127.0.0.1:" + std::to_string(server_->port());
    return db ? url + "/" + std::to_string(db) : url;
  }

  static test::RedisServerProcess* server_;
};

test::RedisServerProcess* RedisAuthTest::server_ = nullptr;

TEST_F(RedisAuthTest, WrongPasswordIsAClearPromptError) {
  double ms = 0;
  auto r = lookup(with_credentials(":not-the-password"), &ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kUnavailable);
  const std::string& msg = r.error().message();
  std::printf("[ info ] wrong password after %.1f ms: \"%s\"\n", ms, msg.c_str());
  EXPECT_NE(msg.find("authentication failed"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("not-the-password"), std::string::npos) << "the password leaked into the message";
  EXPECT_LT(ms, 1000.0);
}

TEST_F(RedisAuthTest, MissingPasswordSaysSo) {
  auto r = lookup("redis://127.0.0.1:" + std::to_string(server_->port()));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("requires a password"), std::string::npos) << r.error().message();
}

TEST_F(RedisAuthTest, PasswordUserAndLegacyUserWork) {
  for (const std::string& info : {std::string(":") + kPassword, std::string("alice:alice-pw"),
                                 // A dummy user name, as in hosted REDISCLOUD_URL values: falls back to AUTH password.
                                 std::string("rediscloud:") + kPassword}) {
    auto r = lookup(with_credentials(info));
    ASSERT_TRUE(r.ok()) << info << ": " << r.error().message();
    EXPECT_FALSE(r->has_value());  // a miss: nothing stored yet
  }
}

TEST_F(RedisAuthTest, DatabaseFromUrlIsSelected) {
  RedisClientOptions o;
  o.endpoint = *parse_redis_url(with_credentials(std::string(":") + kPassword, 3));
  auto c = *RedisClient::create(o);
  RedisCacheIndex index(c, {});
  const std::string key = unique("db") + ".jpg";
  ASSERT_TRUE(index.put(key, "in-db-3").ok());
  o.endpoint.db = 0;
  auto db0 = *RedisClient::create(o);
  auto in0 = db0->call({"EXISTS", index.redis_key(key)});
  auto in3 = c->call({"EXISTS", index.redis_key(key)});
  ASSERT_TRUE(in0.ok() && in3.ok());
  EXPECT_EQ(in0->integer, 0);
  EXPECT_EQ(in3->integer, 1);
}

}  // namespace
}  // namespace imgflo::cache::testing
