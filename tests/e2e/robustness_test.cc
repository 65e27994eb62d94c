// What the original lacked: SSRF guard, deadlines, coalescing, bounded
// queues, input limits — over real HTTP against a scripted local origin.
#include "core/digest.h"
#include "e2e/e2e_util.h"
#include "support/paths.h"
#include "support/test_origin.h"

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace imgflo::test {
namespace {

using namespace std::chrono_literals;

OriginResponse jpeg(std::chrono::milliseconds delay = 0ms) {
  OriginResponse r = OriginResponse::ok(read_file(example("gridbear.jpg")), "image/jpeg");
  r.delay = delay;
  return r;
}

TEST(Ssrf, PrivateAndLoopbackInputsAreRefused) {
  ServerProcess server("ssrf");
  TestOrigin target("127.0.0.1");
  target.on("/secret.jpg", jpeg());
  for (const std::string& url :
       {target.url("/secret.jpg"), "http://[::1]:" + std::to_string(target.port()) + "/secret.jpg",
        "http://[::ffff:127.0.0.1]:" + std::to_string(target.port()) + "/secret.jpg",
        std::string("http://169.254.169.254/latest/meta-data/"), std::string("http://10.0.0.1/x.jpg"),
        std::string("http://0.0.0.0:") + std::to_string(target.port()) + "/secret.jpg"}) {
    const HttpResult r = http_get(server.url("/graph/passthrough?" + input_param(url)));
    EXPECT_EQ(r.status, 403) << url << ": " << r.body;
    EXPECT_EQ(r.json()["type"], "forbidden") << url;
  }
  EXPECT_EQ(target.hits("/secret.jpg"), 0);
}

TEST(Ssrf, RedirectFromAnAllowedOriginToLoopbackIsRefused) {
  TestOrigin allowed("127.0.0.2");
  TestOrigin target("127.0.0.1");
  target.on("/secret.jpg", jpeg());
  allowed.on("/ok.jpg", jpeg());
  allowed.on("/redirect.jpg", OriginResponse::redirect(target.url("/secret.jpg")));
  ServerProcess server("ssrf-redirect", {{"IMGFLO_ALLOW_PRIVATE", "127.0.0.2/32"}});
  EXPECT_EQ(http_get(server.url("/graph/passthrough?" + input_param(allowed.url("/ok.jpg")))).status, 301);
  const HttpResult r = http_get(server.url("/graph/passthrough?" + input_param(allowed.url("/redirect.jpg"))));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(allowed.hits("/redirect.jpg"), 1);
  EXPECT_EQ(target.hits("/secret.jpg"), 0);
}

class WithOrigin : public testing::Test {
 protected:
  TestOrigin origin{"127.0.0.1"};
  std::string input(const std::string& path) { return input_param(origin.url(path)); }
};

TEST_F(WithOrigin, DeadlineAnswers504AndCancels) {
  origin.on("/slow.jpg", jpeg(10s));
  ServerProcess server("deadline", {{"IMGFLO_ALLOW_PRIVATE", "127.0.0.1/32"}}, {"--request-timeout", "1"});
  const HttpResult r = http_get(server.url("/graph/passthrough?" + input("/slow.jpg")));
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_EQ(r.json()["type"], "timeout");
  EXPECT_LT(r.seconds, 2.5);
  EXPECT_GE(r.seconds, 0.9);
  EXPECT_EQ(metric(server, "imgflo_request_timeouts_total"), 1u);
  EXPECT_EQ(metric(server, "imgflo_jobs_cancelled_total"), 1u);
  // The worker is freed promptly (the fetch honours the cancelled job).
  origin.on("/fast.jpg", jpeg());
  EXPECT_EQ(http_get(server.url("/graph/passthrough?" + input("/fast.jpg"))).status, 301);
}

TEST_F(WithOrigin, IdenticalConcurrentRequestsRunOneJob) {
  origin.on("/slowish.jpg", jpeg(700ms));
  ServerProcess server("coalesce", {{"IMGFLO_ALLOW_PRIVATE", "127.0.0.1/32"}});
  const std::string url = server.url("/graph/gradientmap.png?" + input("/slowish.jpg") + "&color1=%23123456");
  constexpr int kClients = 24;
  std::vector<std::future<HttpResult>> results;
  for (int i = 0; i < kClients; ++i) results.push_back(std::async(std::launch::async, [&] { return http_get(url); }));
  const std::set<std::string> locations = all_redirects(results);
  EXPECT_EQ(locations.size(), 1u);
  EXPECT_EQ(origin.hits("/slowish.jpg"), 1);
  EXPECT_EQ(metric(server, "imgflo_jobs_started_total"), 1u);
  EXPECT_EQ(metric(server, "imgflo_jobs_coalesced_total") + metric(server, "imgflo_cache_hits_total"),
            static_cast<uint64_t>(kClients - 1));
}

TEST_F(WithOrigin, FullQueueAnswers503WithRetryAfter) {
  origin.on("/slow.jpg", jpeg(3s));
  ServerProcess server("queue", {{"IMGFLO_ALLOW_PRIVATE", "127.0.0.1/32"}},
                       {"--workers", "1", "--queue-limit", "1", "--request-timeout", "10"});
  std::vector<std::future<HttpResult>> running;
  for (int i = 0; i < 2; ++i) {  // one running, one queued
    running.push_back(std::async(std::launch::async, [&, i] {
      return http_get(server.url("/graph/passthrough?ignored=" + std::to_string(i) + "&" + input("/slow.jpg")));
    }));
    std::this_thread::sleep_for(300ms);
  }
  const HttpResult r = http_get(server.url("/graph/passthrough?ignored=x&" + input("/slow.jpg")));
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.header("retry-after"), "1");
  EXPECT_EQ(r.json()["type"], "overloaded");
  for (auto& f : running) EXPECT_EQ(f.get().status, 301);
}

TEST_F(WithOrigin, InputLimits) {
  origin.on("/big.jpg", OriginResponse::ok(std::string(200'000, 'x'), "image/jpeg"));
  origin.on("/notimage.jpg", OriginResponse::ok("<html>hello</html>", "image/jpeg"));
  origin.on("/truncated.jpg", OriginResponse::ok(read_file(example("grid-toastybob.jpg")).substr(0, 20'000),
                                                 "image/jpeg"));
  origin.on("/large.jpg", OriginResponse::ok(read_file(example("grid-toastybob.jpg")), "image/jpeg"));
  origin.on("/404.jpg", OriginResponse{404, {}, "nope"});
  ServerProcess server("limits", {{"IMGFLO_ALLOW_PRIVATE", "127.0.0.1/32"}},
                       {"--fetch-max-bytes", "100000", "--max-pixels", "500000"});
  auto get = [&](const std::string& path) { return http_get(server.url("/graph/passthrough?" + input(path))); };
  EXPECT_EQ(get("/big.jpg").status, 422);          // over the byte limit
  EXPECT_EQ(get("/notimage.jpg").status, 422);     // undecodable
  EXPECT_EQ(get("/truncated.jpg").status, 422);    // corrupt
  EXPECT_EQ(get("/404.jpg").json()["upstream_status"], 404);
  origin.on("/large.jpg", OriginResponse::ok(read_file(example("grid-toastybob.jpg")), "image/jpeg"));
  ServerProcess small("limits-pixels", {{"IMGFLO_ALLOW_PRIVATE", "127.0.0.1/32"}}, {"--max-pixels", "500000"});
  const HttpResult bomb = http_get(small.url("/graph/passthrough?" + input("/large.jpg")));  // 768x1024
  EXPECT_EQ(bomb.status, 422);
  EXPECT_NE(bomb.body.find("over the limit"), std::string::npos) << bomb.body;
}

TEST(Auth, KeysTokensAndAdmin) {
  ServerProcess server("auth", {{"IMGFLO_API_KEY", "ooShei0queigeeke"},
                                {"IMGFLO_API_SECRET", "reeva9aijo1Ooj9w"},
                                {"IMGFLO_ADMIN_KEY", "niem4Hoodaku"},
                                {"IMGFLO_ADMIN_SECRET", "reiL1ohqu1do"}});
  const std::string spec = "crop.png";
  const std::string search = "?input=files%2Fgridbear.jpg&cropwidth=33";
  auto signed_url = [&](const std::string& key, const std::string& token, const std::string& q) {
    return server.url("/graph/" + key + "/" + token + "/" + spec + q);
  };
  const std::string md5 = md5_hex(spec + search + "reeva9aijo1Ooj9w");
  EXPECT_EQ(http_get(server.url("/graph/" + spec + search)).status, 403);
  EXPECT_EQ(http_get(server.url("/graph/" + spec + search)).json()["type"], "forbidden");
  EXPECT_EQ(http_get(signed_url("ooShei0queigeeke", md5, search)).status, 301);
  EXPECT_EQ(http_get(signed_url("ooShei0queigeeke", hmac_sha256_hex("reeva9aijo1Ooj9w", spec + search), search)).status,
            301);
  EXPECT_EQ(http_get(signed_url("ooShei0queigeeke", md5_hex("wrong"), search)).status, 403);
  EXPECT_EQ(http_get(signed_url("unknownkey", md5, search)).status, 403);
  EXPECT_EQ(http_get(signed_url("ooShei0queigeeke", md5, search + "&x=1")).status, 403);
  const std::string nocache = search + "&_nocache=true";
  EXPECT_EQ(http_get(signed_url("ooShei0queigeeke", md5_hex(spec + nocache + "reeva9aijo1Ooj9w"), nocache)).status,
            403);
  EXPECT_EQ(http_get(signed_url("niem4Hoodaku", md5_hex(spec + nocache + "reiL1ohqu1do"), nocache)).status, 301);
  // Signed and unsigned forms share the cache key: the Location is the same.
  const std::string admin_token = md5_hex(spec + search + "reiL1ohqu1do");
  EXPECT_EQ(http_get(signed_url("niem4Hoodaku", admin_token, search)).header("location"),
            http_get(signed_url("ooShei0queigeeke", md5, search)).header("location"));
}

TEST_F(WithOrigin, ErrorsAreNeverCached) {
  origin.on("/flaky.jpg", OriginResponse{500, {}, "down"});
  ServerProcess server("errors-not-cached", {{"IMGFLO_ALLOW_PRIVATE", "127.0.0.1/32"}});
  const std::string url = server.url("/graph/passthrough?" + input("/flaky.jpg"));
  EXPECT_EQ(http_get(url).status, 504);
  EXPECT_EQ(http_get(url).status, 504);
  origin.on("/flaky.jpg", jpeg());
  EXPECT_EQ(http_get(url).status, 301);
  EXPECT_EQ(origin.hits("/flaky.jpg"), 3);
}

TEST(SlowClients, IdleConnectionsAreClosedAndOthersServed) {
  ServerProcess server("slow-client", {}, {"--client-timeout", "1"});
  // A client that connects and never sends a request must not block others.
  std::vector<int> fds;
  for (int i = 0; i < 20; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(server.port()));
    a.sin_addr.s_addr = htonl(0x7f000001);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ::send(fd, "GET /health HTTP/1.1\r\nHo", 24, 0);  // a partial request, then silence
    fds.push_back(fd);
  }
  const HttpResult r = http_get(server.url("/health"));
  EXPECT_EQ(r.status, 200);
  EXPECT_LT(r.seconds, 1.0);
  // After the client timeout the server has closed the silent connections.
  std::this_thread::sleep_for(1500ms);
  for (int fd : fds) {
    char buf[64];
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_LE(::recv(fd, buf, sizeof buf, 0), 0);  // 0 = orderly close (no response to a partial request)
    ::close(fd);
  }
}

}  // namespace
}  // namespace imgflo::test
