// run_video's mp4 of a graph that only rescales (FrameGraph::rescale_only):
// the decoder's frames are scaled by libswscale straight to the encoder,
// the graph never runs, and the frames match those of the graph path (the
// same rescale done on R'G'B' frames by libvips). A graph whose first step
// is the rescale (FrameGraph::planned_work) gets frames already at the
// planned size for an mp4, the whole graph for other outputs. The results
// are read back with the pipeline's own decoder.
#include "runtime/video/video_pipeline.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "runtime/video/video_decoder.h"
#include "support/image_compare.h"
#include "support/paths.h"
#include "support/pixels.h"

namespace imgflo::runtime::video {
namespace {

constexpr int kInputFrames = 30;  // video-3dpmic.mp4: ASF, 848x480, 30 frames at 30 fps

const std::string& input() {
  static const std::string bytes = test::read_file(test::example("video-3dpmic.mp4"));
  return bytes;
}

// A graph that resizes every frame to width x height with libvips, counting
// its runs in `runs`.
FrameGraph resize_graph(int width, int height, bool rescale_only, int* runs) {
  FrameGraph graph;
  graph.plan = [width, height](int, int) -> Result<FrameSize> { return FrameSize{width, height}; };
  graph.work = [width, height, runs](const Image& frame) -> Result<Image> {
    ++*runs;
    const double sx = static_cast<double>(width) / frame.width();
    const double sy = static_cast<double>(height) / frame.height();
    return Image{frame.pixels.resize(sx, vips::VImage::option()->set("vscale", sy)), frame.format};
  };
  graph.rescale_only = rescale_only;
  return graph;
}

Result<Output> mp4_of(const FrameGraph& graph) {
  VideoJob job{"mp4", {}, {}, {}, {}};
  job.params.bitrate_kbps = kMaxBitrateKbps;  // frames close to what was encoded
  return run_video(input(), job, graph);
}

// Every frame of an mp4, as PNG bytes.
std::vector<std::string> frames_of(const std::string& mp4) {
  auto decoder = VideoDecoder::open(mp4, sniff_video(mp4), VideoLimits{});
  EXPECT_TRUE(decoder.ok()) << decoder.error().message();
  std::vector<std::string> out;
  if (!decoder.ok()) return out;
  for (;;) {
    auto next = (*decoder)->next(nullptr);
    EXPECT_TRUE(next.ok());
    if (!next.ok() || !*next) break;
    out.push_back(test::png_bytes((*next)->rgb));
  }
  return out;
}

TEST(VideoRescaleOnly, Mp4HasEveryFrameAtTheEvenPlannedSizeWithoutRunningTheGraph) {
  int runs = 0;
  auto mp4 = mp4_of(resize_graph(321, 181, true, &runs));
  ASSERT_TRUE(mp4.ok()) << mp4.error().message();
  EXPECT_EQ(runs, 0);
  auto decoder = VideoDecoder::open(mp4->bytes, sniff_video(mp4->bytes), VideoLimits{});
  ASSERT_TRUE(decoder.ok()) << decoder.error().message();
  EXPECT_EQ((*decoder)->info().width, 320);
  EXPECT_EQ((*decoder)->info().height, 180);
  EXPECT_TRUE((*decoder)->info().has_audio);  // the MP2 copied
  EXPECT_EQ(frames_of(mp4->bytes).size(), static_cast<size_t>(kInputFrames));
}

// resize_graph's with planned_work: the frame unchanged, its size recorded in `sizes`.
FrameGraph planned_graph(int width, int height, int* runs, std::vector<std::pair<int, int>>* sizes) {
  FrameGraph graph = resize_graph(width, height, false, runs);
  graph.planned_work = [sizes](const Image& frame) -> Result<Image> {
    sizes->emplace_back(frame.width(), frame.height());
    return frame;
  };
  return graph;
}

TEST(VideoPlannedWork, Mp4FramesComeToTheGraphAtThePlannedSize) {
  int runs = 0;
  std::vector<std::pair<int, int>> sizes;
  auto mp4 = mp4_of(planned_graph(201, 113, &runs, &sizes));
  ASSERT_TRUE(mp4.ok()) << mp4.error().message();
  EXPECT_EQ(runs, 0);
  ASSERT_EQ(sizes.size(), static_cast<size_t>(kInputFrames));
  for (const auto& size : sizes) EXPECT_EQ(size, std::pair(201, 113));
  auto decoder = VideoDecoder::open(mp4->bytes, sniff_video(mp4->bytes), VideoLimits{});
  ASSERT_TRUE(decoder.ok()) << decoder.error().message();
  EXPECT_EQ((*decoder)->info().width, 200);
  EXPECT_EQ((*decoder)->info().height, 112);
}

TEST(VideoPlannedWork, AnAnimationRunsTheWholeGraph) {
  int runs = 0;
  std::vector<std::pair<int, int>> sizes;
  const VideoJob job{"gif", {}, {}, {}, {}};
  auto gif = run_video(input(), job, planned_graph(100, 57, &runs, &sizes));
  ASSERT_TRUE(gif.ok()) << gif.error().message();
  EXPECT_EQ(runs, kInputFrames);
  EXPECT_TRUE(sizes.empty());
  EXPECT_EQ(gif->extension, "gif");
}

TEST(VideoRescaleOnly, FramesMatchTheGraphPathsRescale) {
  int fast_runs = 0;
  int graph_runs = 0;
  auto fast = mp4_of(resize_graph(320, 180, true, &fast_runs));
  auto slow = mp4_of(resize_graph(320, 180, false, &graph_runs));
  ASSERT_TRUE(fast.ok()) << fast.error().message();
  ASSERT_TRUE(slow.ok()) << slow.error().message();
  EXPECT_EQ(graph_runs, kInputFrames);
  const auto a = frames_of(fast->bytes);
  const auto b = frames_of(slow->bytes);
  ASSERT_EQ(a.size(), b.size());
  for (size_t n : {size_t{0}, a.size() / 2, a.size() - 1}) {
    const test::Comparison c = test::compare_images(a[n], b[n]);
    EXPECT_TRUE(c.same_size) << "frame " << n << ": " << c.describe();
    EXPECT_LE(c.mean_delta, 2) << "frame " << n << ": " << c.describe();
  }
}

}  // namespace
}  // namespace imgflo::runtime::video
