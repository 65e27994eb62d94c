// The video lane over HTTP (issue 16, point 4), in-process: video jobs run on
// their own bounded pool (IMGFLO_VIDEO_WORKERS, IMGFLO_VIDEO_QUEUE) with
// their own deadline (IMGFLO_VIDEO_TIMEOUT), so an image never waits behind a
// video; a job whose input turns out to be a video (a GIF of a video) moves
// there and its waiter gets the video deadline. The distributed variant is in
// distributed_video_test.cc.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <thread>

#include "e2e/e2e_util.h"
#include "support/paths.h"

namespace imgflo::test {
namespace video_lane_e2e {  // named: the e2e suites are compiled in unity batches

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Polls `pred` until true or `timeout`; whether it became true.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Files served as files/: a 60 s test video (1500 frames: desaturate on every frame runs ~30 s here,
// far longer than the video deadline below; passthrough alone takes libswscale's fast path) and an image.
fs::path files() {
  static const fs::path dir = [] {
    const fs::path d = scratch_dir("video-lane-files");
    const std::string cmd = "ffmpeg -v error -y -f lavfi -i testsrc=s=320x240:r=25:d=60 -c:v libx264 -preset ultrafast "
                            "-pix_fmt yuv420p '" + (d / "long.mp4").string() + "' 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("ffmpeg failed: " + cmd);
    fs::copy_file(example("gridbear.jpg"), d / "gridbear.jpg");
    return d;
  }();
  return dir;
}

constexpr int kVideoTimeoutS = 4;  // IMGFLO_VIDEO_TIMEOUT
constexpr int kRequestTimeoutS = 2;  // IMGFLO_REQUEST_TIMEOUT: shorter, so a video answered after it had the video's

ServerProcess& server() {
  static ServerProcess* s = new ServerProcess(
      "video-lane", {{"IMGFLO_RESOURCE_DIR", files().string()},
                     {"IMGFLO_WORKERS", "1"},
                     {"IMGFLO_VIDEO_WORKERS", "1"},
                     {"IMGFLO_VIDEO_QUEUE", "1"},
                     {"IMGFLO_REQUEST_TIMEOUT", std::to_string(kRequestTimeoutS)},
                     {"IMGFLO_VIDEO_TIMEOUT", std::to_string(kVideoTimeoutS)},
                     {"IMGFLO_MAX_FRAMES", "5000"}});  // a GIF of every frame of the long video
  return *s;
}

std::string long_video(const std::string& type, int width) {
  return "/graph/desaturate." + type + "?input=files%2Flong.mp4&width=" + std::to_string(width);
}

std::future<HttpResult> get_async(const std::string& path) {
  return std::async(std::launch::async, [url = server().url(path)] { return http_get(url); });
}

uint64_t video_running() { return metric(server(), "imgflo_video_jobs_running"); }
uint64_t video_queued() { return metric(server(), "imgflo_video_jobs_queued"); }

// Every test starts with an idle video lane (an earlier test's video is stopped by its deadline).
void wait_video_lane_idle() {
  ASSERT_TRUE(eventually([] { return video_running() == 0 && video_queued() == 0; }, 15s));
}

TEST(VideoLane, AnImageIsAnsweredWhileAVideoRuns) {
  wait_video_lane_idle();
  auto video = get_async(long_video("mp4", 300));
  ASSERT_TRUE(eventually([] { return video_running() == 1; })) << "the video job never started";
  const HttpResult image = http_get(server().url("/graph/crop?height=40&width=40&x=10&y=10&input=files%2Fgridbear.jpg"));
  EXPECT_EQ(image.status, 301) << image.body;
  EXPECT_EQ(video.wait_for(0s), std::future_status::timeout) << "the video had finished: nothing was shown";
  EXPECT_EQ(video_running(), 1u) << "the video was still running when the image was answered";
  EXPECT_EQ(metric(server(), "imgflo_jobs_running"), 1u) << "the image job is done";
  EXPECT_EQ(video.get().status, 504);  // its own deadline stops it
}

TEST(VideoLane, AFullVideoQueueIs503WithRetryAfter) {
  wait_video_lane_idle();
  auto running = get_async(long_video("mp4", 301));
  ASSERT_TRUE(eventually([] { return video_running() == 1; }));
  auto queued = get_async(long_video("mp4", 302));
  ASSERT_TRUE(eventually([] { return video_queued() == 1; }));
  const HttpResult over = http_get(server().url(long_video("mp4", 303)));
  EXPECT_EQ(over.status, 503) << over.body;
  EXPECT_EQ(over.header("retry-after"), "1");
  // The image lane is another queue: it still takes jobs.
  const HttpResult image = http_get(server().url("/graph/crop?height=30&width=30&x=5&y=5&input=files%2Fgridbear.jpg"));
  EXPECT_EQ(image.status, 301) << image.body;
  EXPECT_EQ(running.get().status, 504);
  EXPECT_EQ(queued.get().status, 504);
}

TEST(VideoLane, AVideoGetsIMGFLO_VIDEO_TIMEOUTAndAGifOfAVideoToo) {
  wait_video_lane_idle();
  // The GIF's URL looks like an image's: it starts in the image lane, moves once its input is
  // fetched, and its waiter then has the video deadline instead of IMGFLO_REQUEST_TIMEOUT.
  const auto start = std::chrono::steady_clock::now();
  auto gif = get_async(long_video("gif", 120));
  ASSERT_TRUE(eventually([] { return video_running() == 1; })) << "the GIF never ran in the video lane";
  EXPECT_EQ(metric(server(), "imgflo_jobs_rerouted_total"), 1u);
  auto mp4 = get_async(long_video("mp4", 304));  // queued behind it (IMGFLO_VIDEO_QUEUE=1)
  const std::string budget = "within " + std::to_string(kVideoTimeoutS * 1000) + " ms";
  for (auto* f : {&gif, &mp4}) {
    const HttpResult r = f->get();
    EXPECT_EQ(r.status, 504) << r.body;
    EXPECT_NE(r.body.find(budget), std::string::npos) << r.body;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(seconds, kVideoTimeoutS - 0.5) << "answered at the image deadline";
}

}  // namespace video_lane_e2e
}  // namespace imgflo::test
