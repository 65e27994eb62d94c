// CurlFetcher's time limits against a slow or silent local origin: connect
// timeout, total timeout, the Stop's deadline and its cancel token. Elapsed
// times are asserted with 200 ms of slack over the limit (the fetcher
// polls every 50 ms; the machine is shared).
#include "fetch/curl_fetcher.h"
#include "support/test_origin.h"
#include "unit/fetch_test_util.h"

#include <gtest/gtest.h>

#include <thread>

namespace imgflo::fetch {
namespace {

using namespace std::chrono_literals;
using test::OriginResponse;
using testing_util::CurlFetch;
using testing_util::fast_options;
using testing_util::ms_since;
using testing_util::pattern_bytes;

TEST_F(CurlFetch, ConnectTimeout) {
  test::BlackholeListener blackhole;
  FetchOptions options = fast_options();
  options.connect_timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = fetcher_.fetch(blackhole.url("/x"), options, {});
  const auto elapsed = ms_since(start);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kDownloadFailed);
  EXPECT_NE(r.error().message().find("timed out"), std::string::npos) << r.error().message();
  EXPECT_GE(elapsed, 250);
  EXPECT_LT(elapsed, 1500);
}

TEST_F(CurlFetch, TotalTimeoutCoversSlowDrip) {
  OriginResponse slow = OriginResponse::ok(pattern_bytes(1000), "image/png");
  slow.drip_bytes = 10;
  slow.drip_interval = 100ms;  // 10 s for the whole body
  origin_.on("/slow", slow);
  FetchOptions options = fast_options();
  options.total_timeout = 500ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = get("/slow", options);
  const auto elapsed = ms_since(start);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kDownloadFailed);
  EXPECT_NE(r.error().message().find("timed out"), std::string::npos) << r.error().message();
  EXPECT_GE(elapsed, 450);
  EXPECT_LT(elapsed, 1200);
}

TEST_F(CurlFetch, StopDeadlineBoundsTheTransfer) {
  OriginResponse stalled = OriginResponse::ok("late", "image/png");
  stalled.delay = 5s;
  origin_.on("/stalled", stalled);
  Stop stop;
  stop.deadline = Deadline::after(400ms);
  const auto start = std::chrono::steady_clock::now();
  auto r = get("/stalled", fast_options(), stop);  // total timeout 5 s
  const auto elapsed = ms_since(start);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTimeout);
  EXPECT_GE(elapsed, 350);
  EXPECT_LT(elapsed, 400 + 200);
}

TEST_F(CurlFetch, CancelTokenStopsTheTransfer) {
  OriginResponse stalled = OriginResponse::ok("late", "image/png");
  stalled.delay = 5s;
  origin_.on("/stalled", stalled);
  Stop stop;
  std::chrono::steady_clock::time_point cancelled_at{};
  // Cancels once the origin holds the request (the transfer is under way).
  std::thread canceller([&, token = stop.token] {
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (origin_.requests().empty() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(1ms);  // the poll interval of a condition wait
    }
    cancelled_at = std::chrono::steady_clock::now();
    token.cancel();
  });
  auto r = get("/stalled", fast_options(), stop);
  canceller.join();
  const auto elapsed = ms_since(cancelled_at);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kCancelled);
  EXPECT_EQ(origin_.requests().size(), 1u) << "cancelled before the request reached the origin";
  EXPECT_LT(elapsed, 200);
}

TEST_F(CurlFetch, ExpiredStopMakesNoRequest) {
  origin_.on("/a", OriginResponse::ok("x", "text/plain"));
  Stop stop;
  stop.deadline = Deadline::after(-1ms);
  auto r = get("/a", fast_options(), stop);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTimeout);
  EXPECT_TRUE(origin_.requests().empty());
}

}  // namespace
}  // namespace imgflo::fetch
