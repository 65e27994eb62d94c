// The SSRF guard end to end: CurlFetcher with the default policy must refuse
// (403, before connecting, with one message for all) every non-public destination however it is
// spelled, also when reached through a redirect or a host name; allow-listed
// blocks go through. Uses only loopback origins and refused addresses (which
// are never connected), so no real network is needed.
#include "fetch/curl_fetcher.h"
#include "support/test_origin.h"
#include "unit/fetch_test_util.h"

#include <gtest/gtest.h>

namespace imgflo::fetch {
namespace {

using test::OriginResponse;
using test::TestOrigin;
using testing_util::fast_options;
using testing_util::make_fetcher;

void expect_refused(const Result<Fetched>& r, const std::string& url, std::string_view address_class) {
  ASSERT_FALSE(r.ok()) << url;
  const Error& e = r.error();
  EXPECT_EQ(e.kind(), ErrorKind::kForbidden) << url << ": " << e.message();
  EXPECT_EQ(e.status(), 403);
  // One message for every refused class: answers must not map the internal network.
  EXPECT_EQ(e.message(), refused_destination(url).message());
  EXPECT_EQ(e.message().find(address_class), std::string::npos) << e.message();
  EXPECT_EQ(e.details()["files"]["input"]["src"], url);
}

class Ssrf : public ::testing::Test {
 protected:
  std::string port() const { return std::to_string(origin_.port()); }
  TestOrigin origin_;
  CurlFetcher guarded_ = make_fetcher("");
};

TEST_F(Ssrf, LoopbackInEverySpellingIsRefusedBeforeConnecting) {
  origin_.on("/secret", OriginResponse::ok("secret", "text/plain"));
  for (const std::string host : {"127.0.0.1", "localhost", "127.1", "2130706433", "0x7f000001", "0177.0.0.1",
                                 "[::ffff:127.0.0.1]", "[::ffff:7f00:1]"}) {
    const std::string url = "http://" + host + ":" + port() + "/secret";
    expect_refused(guarded_.fetch(url, fast_options(), {}), url, "loopback");
  }
  EXPECT_TRUE(origin_.requests().empty());
}

TEST_F(Ssrf, Ipv6LoopbackIsRefused) {
  TestOrigin v6("::1");
  v6.on("/secret", OriginResponse::ok("secret", "text/plain"));
  expect_refused(guarded_.fetch(v6.url("/secret"), fast_options(), {}), v6.url("/secret"), "loopback");
  EXPECT_TRUE(v6.requests().empty());
  // Control: allow-listed, the same URL is served.
  CurlFetcher allowed = make_fetcher("::1/128");
  auto r = allowed.fetch(v6.url("/secret"), fast_options(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, "secret");
}

TEST_F(Ssrf, NonPublicDestinationsAreRefused) {
  // Refused before connect(), so these need no route: the answer is a 403,
  // not a connection error or a timeout.
  const std::pair<const char*, const char*> cases[] = {
      {"0.0.0.0", "unspecified"},
      {"169.254.169.254", "link-local"},
      {"10.0.0.1", "private network"},
      {"172.16.5.4", "private network"},
      {"192.168.1.1", "private network"},
      {"100.64.0.1", "CGNAT"},
      {"224.0.0.1", "multicast"},
      {"[fe80::1]", "link-local"},
      {"[fc00::1]", "unique-local"},
      {"[::ffff:169.254.169.254]", "link-local"},
      {"[64:ff9b::a00:1]", "private network"},
  };
  for (const auto& [host, address_class] : cases) {
    const std::string url = std::string("http://") + host + "/latest/meta-data/";
    expect_refused(guarded_.fetch(url, fast_options(), {}), url, address_class);
  }
}

TEST_F(Ssrf, MessageNamesNeitherTheClassNorTheResolvedAddress) {
  // A public-looking name that resolves to loopback (as DNS rebinding would).
  const std::string pin = "images.example:" + port() + ":127.0.0.1";
  CurlFetcher pinned = make_fetcher("", {pin});
  const std::string url = "http://images.example:" + port() + "/x.png";
  auto r = pinned.fetch(url, fast_options(), {});
  expect_refused(r, url, "loopback");
  EXPECT_EQ(r.error().message().find("127.0.0.1"), std::string::npos) << r.error().message();
  EXPECT_TRUE(origin_.requests().empty());
}

TEST_F(Ssrf, RedirectToRefusedAddressIsRefused) {
  // The allowed origin (127.0.0.1, allow-listed) redirects to a second origin
  // on 127.0.0.2, loopback outside the allow-list.
  TestOrigin inner("127.0.0.2");
  inner.on("/admin", OriginResponse::ok("internal", "text/plain"));
  origin_.on("/hop", OriginResponse::redirect(inner.url("/admin")));
  origin_.on("/to-v6", OriginResponse::redirect("http://[::1]:" + port() + "/admin"));
  origin_.on("/to-metadata", OriginResponse::redirect("http://169.254.169.254/latest/meta-data/"));
  CurlFetcher fetcher = make_fetcher("127.0.0.1/32");
  expect_refused(fetcher.fetch(origin_.url("/hop"), fast_options(), {}), origin_.url("/hop"), "loopback");
  expect_refused(fetcher.fetch(origin_.url("/to-v6"), fast_options(), {}), origin_.url("/to-v6"), "loopback");
  expect_refused(fetcher.fetch(origin_.url("/to-metadata"), fast_options(), {}), origin_.url("/to-metadata"),
                 "link-local");
  EXPECT_EQ(origin_.hits("/hop"), 1);  // the first hop was allowed and served
  EXPECT_TRUE(inner.requests().empty());

  // Control: with all of 127/8 allowed the same redirect is followed.
  CurlFetcher wide = make_fetcher("127.0.0.0/8");
  auto r = wide.fetch(origin_.url("/hop"), fast_options(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, "internal");
  EXPECT_EQ(r->final_url, inner.url("/admin"));
}

TEST_F(Ssrf, MappedAddressFollowsTheIpv4AllowList) {
  origin_.on("/ok", OriginResponse::ok("mapped", "text/plain"));
  CurlFetcher fetcher = make_fetcher("127.0.0.1/32");
  auto r = fetcher.fetch("http://[::ffff:127.0.0.1]:" + port() + "/ok", fast_options(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, "mapped");
}

}  // namespace
}  // namespace imgflo::fetch
