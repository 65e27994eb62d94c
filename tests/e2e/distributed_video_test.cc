// The video lane in the distributed mode (issue 16, point 4): a frontend, an
// `imgflo-worker --role urgent` and an `imgflo-worker --role video` on the
// test RabbitMQ. An mp4 job goes to imgflo_videoworker.JOB, an image job to
// the urgent worker, and a GIF of a video (its URL looks like an image's) is
// moved by the urgent worker to the video queue and ends on the video worker.
#include "e2e/distributed_util.h"

#include <gtest/gtest.h>

namespace imgflo::test {
namespace distributed_video_e2e {  // named: the e2e suites are compiled in unity batches

// How many jobs a worker's log says it took from `queue` ("processing job ... (video, delivery 1 ...").
int jobs_from(const ServerProcess& worker, const std::string& queue) {
  const std::string log = worker.log();
  const std::string mark = "(" + queue + ", delivery";
  int n = 0;
  for (size_t at = log.find(mark); at != std::string::npos; at = log.find(mark, at + 1)) ++n;
  return n;
}

const std::string kVideoInput = "input=files%2Fvideo-3dpmic.mp4";  // bundled: 30 frames of 848x480

TEST_F(Distributed, VideoJobsRunOnTheVideoWorkerImagesOnTheUrgentOne) {
  ServerProcess& images = worker("urgent", "urgent", 1);
  ServerProcess& videos = worker("video", "video", 1);
  ServerProcess& a = frontend("a");

  const HttpResult mp4 = http_get(a.url("/graph/passthrough.mp4?width=64&" + kVideoInput));
  ASSERT_EQ(mp4.status, 301) << mp4.body;
  EXPECT_EQ(jobs_from(videos, "video"), 1);
  EXPECT_EQ(jobs_started(images), 0) << "the mp4 went to the video queue up front";

  const HttpResult jpg = http_get(a.url("/graph/crop?height=40&width=40&x=10&y=10&input=files%2Fgridbear.jpg"));
  ASSERT_EQ(jpg.status, 301) << jpg.body;
  EXPECT_EQ(jobs_from(images, "urgent"), 1);
  EXPECT_EQ(jobs_from(videos, "video"), 1) << "the image never reached the video worker";

  const HttpResult gif = http_get(a.url("/graph/passthrough.gif?width=48&" + kVideoInput));
  ASSERT_EQ(gif.status, 301) << gif.body;
  const HttpResult stored = http_get(a.url(location_path(gif.header("location"))));
  EXPECT_EQ(stored.status, 200);
  EXPECT_EQ(stored.header("content-type"), "image/gif");
  EXPECT_EQ(jobs_from(images, "urgent"), 2) << "the GIF started in the image lane";
  EXPECT_NE(images.log().find("moved to the video queue"), std::string::npos) << images.log();
  EXPECT_EQ(jobs_from(videos, "video"), 2) << "and ended on the video worker";
  EXPECT_EQ(metric(a, "imgflo_jobs_rerouted_total"), 1u);
  EXPECT_EQ(metric(a, "imgflo_jobs_succeeded_total"), 3u);
}

}  // namespace distributed_video_e2e
}  // namespace imgflo::test
