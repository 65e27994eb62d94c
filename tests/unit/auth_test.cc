// request::Authenticator: live snapshots, key rotation, disabled apps,
// quotas, and `_expires` (parsing, the cache key, the check).
#include "request/auth.h"

#include "core/clock.h"
#include "core/query.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace imgflo::request {
namespace {

using namespace std::chrono_literals;

// The signed (md5) target of `spec` + `search` for key/secret.
std::string signed_target(const std::string& key, const std::string& secret, const std::string& spec,
                          const std::string& search) {
  return "/graph/" + key + "/" + Authenticator::md5_token(spec, search, secret) + "/" + spec + search;
}

App app(const std::string& key, const std::string& secret) { return App{key, secret}; }

Result<AuthorizedApp> check(const Authenticator& auth, const std::string& target) {
  auto parsed = parse_graph_request(target);
  EXPECT_TRUE(parsed.ok()) << target;
  if (!parsed.ok()) return parsed.take_error();
  return auth.check(*parsed);
}

std::string reason(const Result<AuthorizedApp>& r) { return r.ok() ? "ok" : r.error().message(); }

TEST(AuthSnapshot, ReplaceSwapsTheAppsAndChangesTheGeneration) {
  Authenticator auth({app("one", "s1")});
  const uint64_t first = auth.generation();
  const std::string one = signed_target("one", "s1", "crop.jpg", "?x=1");
  const std::string two = signed_target("two", "s2", "crop.jpg", "?x=1");
  ASSERT_TRUE(check(auth, one).ok());
  EXPECT_EQ(check(auth, one)->key, "one");
  EXPECT_EQ(check(auth, one)->generation, first);
  EXPECT_EQ(reason(check(auth, two)), "unknown API key");
  auth.replace({app("two", "s2")});
  EXPECT_NE(auth.generation(), first);
  EXPECT_EQ(auth.size(), 1u);
  EXPECT_EQ(reason(check(auth, one)), "unknown API key");
  ASSERT_TRUE(check(auth, two).ok());
  EXPECT_EQ(check(auth, two)->generation, auth.generation());
}

TEST(AuthSnapshot, AuthStaysOnOnceAnyAppExisted) {
  Authenticator auth({});
  EXPECT_FALSE(auth.enabled());
  ASSERT_TRUE(check(auth, "/graph/crop.jpg?x=1").ok());
  EXPECT_TRUE(check(auth, "/graph/crop.jpg?x=1")->auth_off);
  auth.replace({});
  EXPECT_FALSE(auth.enabled()) << "an empty list does not turn auth on";
  auth.replace({App{"k", "s", false, 1, /*enabled=*/false}});
  EXPECT_TRUE(auth.enabled()) << "a disabled app counts (the original)";
  auth.replace({});
  EXPECT_TRUE(auth.enabled()) << "deleting the last app opened the server";
  EXPECT_EQ(check(auth, "/graph/crop.jpg?x=1").error().status(), 403);
}

TEST(AuthSnapshot, DisabledAppIsForbiddenAndSaysSoOnlyToASignedRequest) {
  Authenticator auth({App{"k", "s", false, 1, /*enabled=*/false}});
  EXPECT_EQ(reason(check(auth, signed_target("k", "s", "crop.jpg", ""))), "app disabled");
  EXPECT_EQ(reason(check(auth, signed_target("k", "wrong", "crop.jpg", ""))), "invalid token");
  EXPECT_EQ(check(auth, signed_target("k", "s", "crop.jpg", "")).error().status(), 403);
}

TEST(AuthSnapshot, QuotaAndAdminComeWithTheApp) {
  Authenticator auth({App{"reader", "s", false, 0}, App{"admin", "a", true, 5}});
  auto reader = check(auth, signed_target("reader", "s", "crop.jpg", "?x=1"));
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->quota, 0);
  EXPECT_FALSE(reader->admin);
  EXPECT_FALSE(reader->auth_off);
  EXPECT_EQ(reason(check(auth, signed_target("reader", "s", "crop.jpg", "?_nocache=true"))),
            "_nocache needs an admin key");
  auto admin = check(auth, signed_target("admin", "a", "crop.jpg", "?_nocache=true"));
  ASSERT_TRUE(admin.ok()) << reason(admin);
  EXPECT_TRUE(admin->admin);
  EXPECT_EQ(admin->quota, 5);
}

TEST(AuthSnapshot, ChecksSeeWholeSnapshotsWhileAppsAreReplaced) {
  Authenticator auth({app("k", "s1")});
  const std::string with_s1 = signed_target("k", "s1", "crop.jpg", "");
  const std::string with_s2 = signed_target("k", "s2", "crop.jpg", "");
  std::atomic<bool> done{false};
  std::atomic<int> checks{0};
  std::string torn;  // the checker's; read after join()
  std::thread checker([&] {
    while (!done) {
      // Every snapshot holds "k" (with s1 or s2): it is never unknown.
      for (const std::string* target : {&with_s1, &with_s2}) {
        const std::string why = reason(check(auth, *target));
        if (why != "ok" && why != "invalid token") torn = why;
      }
      ++checks;
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  for (int i = 0; (i < 1000 || checks < 500) && std::chrono::steady_clock::now() < deadline; ++i) {
    auth.replace({app("k", i % 2 ? "s1" : "s2"), app("other" + std::to_string(i), "x")});
  }
  done = true;
  checker.join();
  EXPECT_GE(checks.load(), 500);
  EXPECT_EQ(torn, "") << "a check saw no whole snapshot";
  EXPECT_EQ(auth.size(), 2u);
}

TEST(AuthRotation, ThePreviousSecretWorksUntilItsExpiry) {
  ManualClock clock;
  const int64_t grace_end = clock.unix_seconds() + 2;
  App rotated{"k", "new"};
  rotated.previous_secret = "old";
  rotated.previous_secret_expires_at = grace_end;
  Authenticator auth({rotated}, clock);
  const std::string old_target = signed_target("k", "old", "crop.jpg", "?x=1");
  auto during = check(auth, old_target);
  ASSERT_TRUE(during.ok()) << reason(during);
  EXPECT_EQ(during->valid_until, grace_end) << "a hot-path copy must not outlive the grace";
  auto current = check(auth, signed_target("k", "new", "crop.jpg", "?x=1"));
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->valid_until, 0);
  clock.advance(1999ms);
  EXPECT_TRUE(check(auth, old_target).ok());
  clock.advance(1ms);
  EXPECT_EQ(reason(check(auth, old_target)), "invalid token");
  EXPECT_TRUE(check(auth, signed_target("k", "new", "crop.jpg", "?x=1")).ok());
}

TEST(AuthRotation, NoPreviousSecretMeansNone) {
  ManualClock clock;
  App fresh{"k", "s"};
  fresh.previous_secret_expires_at = clock.unix_seconds() + 100;  // without a previous secret
  Authenticator auth({fresh}, clock);
  EXPECT_EQ(reason(check(auth, signed_target("k", "", "crop.jpg", ""))), "invalid token");
}

TEST(Expires, ParsedAsUnixSecondsNotAGraphParameter) {
  auto r = parse_graph_request("/graph/crop.jpg?x=1&_expires=1800000000&y=2");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->expires.has_value());
  EXPECT_EQ(*r->expires, 1800000000);
  EXPECT_EQ(r->params, (Params{{"x", "1"}, {"y", "2"}}));
  EXPECT_EQ(r->search, "?x=1&_expires=1800000000&y=2") << "the token covers it";
  EXPECT_FALSE(parse_graph_request("/graph/crop.jpg?x=1")->expires.has_value());
}

TEST(Expires, MalformedIsABadRequest) {
  for (const std::string bad : {"", "abc", "-1", "1.5", "1e9", "+5", " 5", "1234567890123", "0x10"}) {
    auto r = parse_graph_request("/graph/crop.jpg?_expires=" + percent_encode(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().status(), 400) << bad;
  }
  auto twice = parse_graph_request("/graph/crop.jpg?_expires=5&_expires=6");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().status(), 400);
}

TEST(Expires, CacheKeyIgnoresIt) {
  // Without _expires: the original's key, sha1("/graph/crop?x=1&y=2"), byte for byte.
  EXPECT_EQ(parse_graph_request("/graph/crop.jpg?x=1&y=2")->cache_key, cache_key("crop", "?x=1&y=2", "jpg"));
  EXPECT_EQ(parse_graph_request("/graph/crop.jpg?x=1&y=2")->cache_key,
            "e163bac09ebc2959d4e80c7b5745204a52eff9ab.jpg");
  const std::string plain = parse_graph_request("/graph/crop.jpg?x=1&y=2")->cache_key;
  for (const std::string search : {"?_expires=5&x=1&y=2", "?x=1&_expires=5&y=2", "?x=1&y=2&_expires=5",
                                   "?x=1&%5Fexpires=5&y=2"}) {
    EXPECT_EQ(parse_graph_request("/graph/crop.jpg" + search)->cache_key, plain) << search;
  }
  EXPECT_EQ(parse_graph_request("/graph/crop.jpg?_expires=5")->cache_key,
            parse_graph_request("/graph/crop.jpg")->cache_key);
  EXPECT_EQ(search_without_expires("?x=1&_expires=5&y=2"), "?x=1&y=2");
  EXPECT_EQ(search_without_expires("?_expires=5"), "");
  EXPECT_EQ(search_without_expires("?x=1&y=2"), "?x=1&y=2");
  EXPECT_EQ(search_without_expires("?x_expires=1&_expiresx=2"), "?x_expires=1&_expiresx=2");
  EXPECT_EQ(search_without_expires(""), "");
}

TEST(Expires, PastIsForbiddenFutureCarriesItsLimit) {
  ManualClock clock;
  Authenticator auth({app("k", "s")}, clock);
  const std::string at = std::to_string(clock.unix_seconds() + 10);
  const std::string target = signed_target("k", "s", "crop.jpg", "?x=1&_expires=" + at);
  auto before = check(auth, target);
  ASSERT_TRUE(before.ok()) << reason(before);
  EXPECT_EQ(before->valid_until, clock.unix_seconds() + 10);
  clock.advance(10s);
  auto after = check(auth, target);
  EXPECT_EQ(reason(after), "expired");
  EXPECT_EQ(after.error().status(), 403);
}

TEST(Expires, TamperedIsAnInvalidToken) {
  ManualClock clock;
  Authenticator auth({app("k", "s")}, clock);
  const std::string old_search = "?x=1&_expires=" + std::to_string(clock.unix_seconds() + 10);
  const std::string token = Authenticator::md5_token("crop.jpg", old_search, "s");
  const std::string later = "?x=1&_expires=" + std::to_string(clock.unix_seconds() + 100000);
  EXPECT_EQ(reason(check(auth, "/graph/k/" + token + "/crop.jpg" + later)), "invalid token");
  EXPECT_EQ(reason(check(auth, "/graph/k/" + token + "/crop.jpg?x=1")), "invalid token") << "dropped _expires";
}

TEST(Expires, EnforcedWithAuthOff) {
  ManualClock clock;
  Authenticator auth({}, clock);
  EXPECT_EQ(reason(check(auth, "/graph/crop.jpg?_expires=" + std::to_string(clock.unix_seconds()))), "expired");
  auto future = check(auth, "/graph/crop.jpg?_expires=" + std::to_string(clock.unix_seconds() + 1));
  ASSERT_TRUE(future.ok());
  EXPECT_TRUE(future->auth_off);
  EXPECT_EQ(future->valid_until, clock.unix_seconds() + 1);
}

}  // namespace
}  // namespace imgflo::request
