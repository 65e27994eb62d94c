// CurlFetcher against a scripted local origin (no real network): bodies and
// metadata, redirects, upstream errors, byte limits, schemes and proxies
// (timeouts and the Stop are in fetch_curl_timeout_test.cc). Loopback is allowed through the allow-list here; the
// default policy's refusals are in fetch_ssrf_test.cc.
#include "fetch/curl_fetcher.h"
#include "support/test_origin.h"
#include "unit/fetch_test_util.h"

#include <gtest/gtest.h>

#include <zlib.h>

#include <cstdlib>

namespace imgflo::fetch {
namespace {

using namespace std::chrono_literals;
using test::OriginResponse;
using test::TestOrigin;
using testing_util::CurlFetch;
using testing_util::fast_options;
using testing_util::make_fetcher;
using testing_util::ms_since;
using testing_util::pattern_bytes;

std::string gzip(const std::string& plain) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, plain.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST_F(CurlFetch, ReturnsBodyTypeStatusAndFinalUrl) {
  const std::string png = pattern_bytes(70000);
  origin_.on("/img.png", OriginResponse::ok(png, "image/png"));
  auto r = get("/img.png?v=2");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, png);
  EXPECT_EQ(r->content_type, "image/png");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->final_url, origin_.url("/img.png?v=2"));
  ASSERT_EQ(origin_.requests().size(), 1u);
  EXPECT_EQ(origin_.requests()[0].header("User-Agent"), "imgflo-server/0.1");
  EXPECT_EQ(origin_.requests()[0].header("Cookie"), "");
}

TEST_F(CurlFetch, UppercaseSchemeIsAccepted) {
  origin_.on("/a", OriginResponse::ok("x", "text/plain"));
  auto r = fetcher_.fetch("HTTP://" + origin_.host_port() + "/a", fast_options(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, "x");
}

TEST_F(CurlFetch, FollowsRedirectsUpToTheLimit) {
  origin_.on("/r1", OriginResponse::redirect("/r2", 301));
  origin_.on("/r2", OriginResponse::redirect(origin_.url("/r3"), 307));
  origin_.on("/r3", OriginResponse::redirect("/final", 302));
  origin_.on("/final", OriginResponse::ok("done", "image/jpeg"));
  FetchOptions options = fast_options();
  options.max_redirects = 3;
  auto r = get("/r1", options);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, "done");
  EXPECT_EQ(r->final_url, origin_.url("/final"));
  EXPECT_EQ(r->content_type, "image/jpeg");

  options.max_redirects = 2;
  r = get("/r1", options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kDownloadFailed);
  EXPECT_EQ(r.error().status(), 504);
  EXPECT_NE(r.error().message().find("too many redirects"), std::string::npos) << r.error().message();
  EXPECT_EQ(r.error().details()["upstream_status"], 302);
  EXPECT_EQ(origin_.hits("/final"), 1);  // only the first fetch got there

  for (int none : {0, -1}) {  // -1 must not mean libcurl's "unlimited"
    options.max_redirects = none;
    r = get("/r3", options);
    ASSERT_FALSE(r.ok()) << none;
    EXPECT_EQ(r.error().kind(), ErrorKind::kDownloadFailed);
  }
  EXPECT_EQ(origin_.hits("/final"), 1);
}

TEST_F(CurlFetch, Non2xxIsDownloadFailureWithUpstreamStatus) {
  OriginResponse server_error;
  server_error.status = 500;
  server_error.body = "oops";
  origin_.on("/broken", server_error);
  for (const auto& [path, status] : {std::pair{"/missing.jpg", 404}, std::pair{"/broken", 500}}) {
    const std::string url = origin_.url(path);
    auto r = get(path);
    ASSERT_FALSE(r.ok()) << path;
    const Error& e = r.error();
    EXPECT_EQ(e.kind(), ErrorKind::kDownloadFailed);
    EXPECT_EQ(e.status(), 504);
    EXPECT_EQ(e.message(), "Failed to download input " + url + ": HTTP error " + std::to_string(status));
    EXPECT_EQ(e.details()["upstream_status"], status);
    EXPECT_EQ(e.details()["files"]["input"]["src"], url);
    EXPECT_EQ(e.to_json()["code"], 504);
  }
}

TEST_F(CurlFetch, ByteLimitFromContentLength) {
  origin_.on("/big", OriginResponse::ok(pattern_bytes(1000), "image/png"));
  FetchOptions options = fast_options();
  options.max_bytes = 1000;
  auto r = get("/big", options);
  ASSERT_TRUE(r.ok()) << r.error().message();  // exactly at the limit
  EXPECT_EQ(r->bytes.size(), 1000u);
  options.max_bytes = 999;
  r = get("/big", options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTooLarge);
  EXPECT_EQ(r.error().status(), 422);
  EXPECT_NE(r.error().message().find("999 bytes"), std::string::npos) << r.error().message();
  EXPECT_EQ(r.error().details()["files"]["input"]["src"], origin_.url("/big"));
}

TEST_F(CurlFetch, OversizedContentLengthIsRefusedBeforeTheBody) {
  // The first 500 bytes arrive at once, the rest 3 s later: only the announced
  // length can make the answer come quickly.
  OriginResponse big = OriginResponse::ok(pattern_bytes(10000), "image/png");
  big.drip_bytes = 500;
  big.drip_interval = std::chrono::milliseconds(3000);
  origin_.on("/big", big);
  FetchOptions options = fast_options();
  options.max_bytes = 1000;
  const auto start = std::chrono::steady_clock::now();
  auto r = get("/big", options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTooLarge);
  EXPECT_LT(ms_since(start), 500);
}

TEST_F(CurlFetch, CompressedBodyIsLimitedByItsDecodedSize) {
  const std::string plain(2 << 20, 'a');  // 2 MiB that gzip shrinks to a few KiB
  OriginResponse gz = OriginResponse::ok(gzip(plain), "image/png");
  gz.headers.emplace_back("Content-Encoding", "gzip");
  origin_.on("/bomb", gz);
  FetchOptions options = fast_options();
  options.max_bytes = 1 << 20;
  auto r = get("/bomb", options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTooLarge);
  options.max_bytes = 4 << 20;
  r = get("/bomb", options);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, plain);
}

TEST_F(CurlFetch, ByteLimitWhileStreamingWithoutContentLength) {
  // 8 MB dripped in 64 KiB pieces every 20 ms would take ~2.5 s; the limit
  // must stop it after the first pieces.
  OriginResponse endless = OriginResponse::ok(pattern_bytes(8 << 20), "image/png");
  endless.auto_content_length = false;
  endless.drip_bytes = 64 * 1024;
  endless.drip_interval = 20ms;
  origin_.on("/endless", endless);
  FetchOptions options = fast_options();
  options.max_bytes = 100 * 1024;
  const auto start = std::chrono::steady_clock::now();
  auto r = get("/endless", options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTooLarge);
  EXPECT_LT(ms_since(start), 1000);

  options.max_bytes = 16 << 20;  // control: the same body fits a larger limit
  endless.drip_bytes = 0;
  origin_.on("/endless", endless);
  r = get("/endless", options);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes.size(), std::size_t{8} << 20);
}

TEST_F(CurlFetch, LyingContentLengthIsNotTrusted) {
  // Chunked framing wins over a Content-Length that claims 10 bytes.
  const std::string body = pattern_bytes(50000);
  OriginResponse liar;
  liar.headers = {{"Content-Type", "image/png"}, {"Content-Length", "10"}, {"Transfer-Encoding", "chunked"}};
  liar.auto_content_length = false;
  char size_hex[16];
  std::snprintf(size_hex, sizeof size_hex, "%zx", body.size());
  liar.body = std::string(size_hex) + "\r\n" + body + "\r\n0\r\n\r\n";
  origin_.on("/liar", liar);
  FetchOptions options = fast_options();
  options.max_bytes = 1000;
  auto r = get("/liar", options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTooLarge);

  // A Content-Length promising more than the origin sends is a failed download.
  OriginResponse short_body = OriginResponse::ok("only this", "image/png");
  short_body.auto_content_length = false;
  short_body.headers.emplace_back("Content-Length", "5000");
  origin_.on("/short", short_body);
  r = get("/short");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kDownloadFailed);
}

TEST_F(CurlFetch, OnlyHttpAndHttpsSchemes) {
  for (const char* url : {"ftp://127.0.0.1/x.jpg", "file:///etc/passwd", "gopher://127.0.0.1:70/_x",
                          "chrome-search://local-ntp/http://example.com/x.png", "dict://127.0.0.1:11211/",
                          "files/grid-toastybob.jpg", "//127.0.0.1/x", "data:image/png;base64,AAAA", ""}) {
    auto r = fetcher_.fetch(url, fast_options(), {});
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidArgument) << url;
    EXPECT_EQ(r.error().details()["files"]["input"]["src"], url);
  }
}

TEST_F(CurlFetch, RedirectToAnotherSchemeIsRefused) {
  origin_.on("/to-file", OriginResponse::redirect("file:///etc/passwd"));
  origin_.on("/to-ftp", OriginResponse::redirect("ftp://127.0.0.1/x"));
  for (const char* path : {"/to-file", "/to-ftp"}) {
    auto r = get(path);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.error().kind(), ErrorKind::kForbidden) << path << ": " << r.error().message();
  }
}

TEST_F(CurlFetch, ProxyVariablesAreIgnored) {
  TestOrigin proxy;
  proxy.on("/", OriginResponse::ok("from the proxy", "text/plain"));
  origin_.on("/direct", OriginResponse::ok("direct", "text/plain"));
  const std::string proxy_url = proxy.url("");
  for (const char* var : {"http_proxy", "HTTPS_PROXY", "ALL_PROXY"}) setenv(var, proxy_url.c_str(), 1);
  auto r = get("/direct");
  for (const char* var : {"http_proxy", "HTTPS_PROXY", "ALL_PROXY"}) unsetenv(var);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, "direct");
  EXPECT_TRUE(proxy.requests().empty());
}

TEST_F(CurlFetch, HostPinsResolveNamesToTheOrigin) {
  origin_.on("/named.png", OriginResponse::ok("named", "image/png"));
  const std::string pin = "images.example:" + std::to_string(origin_.port()) + ":127.0.0.1";
  CurlFetcher pinned = make_fetcher("127.0.0.1/32", {pin});
  auto r = pinned.fetch("http://images.example:" + std::to_string(origin_.port()) + "/named.png", fast_options(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, "named");
  EXPECT_EQ(origin_.requests().at(0).header("Host"), "images.example:" + std::to_string(origin_.port()));
}

}  // namespace
}  // namespace imgflo::fetch
