// Fuzz target "video": input video bytes through the video pipeline.
//
// runtime::video::sniff_video, then estimate_video_memory and run_video (open the sniffed
// container's demuxer, the header limits, decode frames, a trivial graph per frame, encode)
// with small limits so that each input is quick: frames of at most 128 x 128 pixels, 16
// frames, 10 s, results of at most 1 MB. The graph makes frames of at most 24 x 24 pixels:
// it crops the top-left corner, or rescales (as a rescale-only graph, whose mp4 frames
// libswscale scales straight from the decoder's, or followed by a planned step), by the
// input's length. The output depends on the input's length too: an H.264 MP4
// (the encoder, audio copied when MP4 carries it), an animated GIF of every frame, or a
// poster frame as PNG (frame=0..2, or time=0.1). Errors are serialised as the service would
// answer them; an input's fault must not be an internal error (500). Seeds are made by scripts/fuzz.sh with the real ffmpeg (tiny testsrc videos in
// MP4, MOV, WebM, Matroska and ASF, with and without audio), none are stored in the repository.
#include "fuzz_support.h"

#include "runtime/video/video_pipeline.h"
#include "runtime/video/video_probe.h"

#include <algorithm>
#include <cmath>

using namespace imgflo;
using namespace imgflo::runtime;

namespace {

constexpr int kCrop = 24;  // the graph's largest frame side
constexpr uint64_t kFramePixels = 128 * 128;
constexpr int kFrames = 16;

DecodeLimits small_limits() {
  DecodeLimits limits;
  limits.max_pixels = kFramePixels;
  limits.max_frames = kFrames;
  limits.max_animation_pixels = kFrames * kFramePixels;
  limits.video.max_seconds = 10;
  limits.video.max_frames = kFrames;
  limits.video.max_frame_pixels = kFramePixels;
  limits.video.max_total_pixels = kFrames * kFramePixels;
  limits.video.max_output_bytes = 1'000'000;
  return limits;
}

Image cropped(const Image& frame) {
  Image out = frame;
  out.pixels = frame.pixels.extract_area(0, 0, std::min(frame.width(), kCrop), std::min(frame.height(), kCrop));
  return out;
}

// The frame fitted inside kCrop x kCrop (never enlarged), at least 1 x 1.
video::FrameSize fitted(int width, int height) {
  const double scale = std::min(1.0, static_cast<double>(kCrop) / std::max({width, height, 1}));
  return {std::max(1, static_cast<int>(std::lround(width * scale))),
          std::max(1, static_cast<int>(std::lround(height * scale)))};
}

Result<Image> rescaled(const Image& frame) {
  const video::FrameSize size = fitted(frame.width(), frame.height());
  Image out = frame;
  out.pixels = frame.pixels.resize(static_cast<double>(size.width) / frame.width(),
                                   vips::VImage::option()->set("vscale",
                                                               static_cast<double>(size.height) / frame.height()));
  return out;
}

// By `mode`: crop the top-left corner; a rescale-only graph (an mp4 then scales the decoded
// frames with libswscale); a rescale followed by a planned step.
video::FrameGraph graph_for(size_t mode) {
  video::FrameGraph graph;
  if (mode == 0) {
    graph.plan = [](int width, int height) -> Result<video::FrameSize> {
      return video::FrameSize{std::min(width, kCrop), std::min(height, kCrop)};
    };
    graph.work = [](const Image& frame) -> Result<Image> { return cropped(frame); };
    return graph;
  }
  graph.plan = [](int width, int height) -> Result<video::FrameSize> { return fitted(width, height); };
  graph.work = rescaled;
  if (mode == 1) {
    graph.rescale_only = true;
  } else {
    graph.planned_work = [](const Image& frame) -> Result<Image> { return frame; };
  }
  return graph;
}

video::VideoJob job_for(size_t size) {
  video::VideoJob job;
  job.limits = small_limits();
  job.stop.deadline = Deadline::after(std::chrono::seconds(10));
  switch (size % 4) {
    case 0:
      job.out_type = "mp4";
      break;
    case 1:
      job.out_type = "gif";
      break;
    case 2:
      job.out_type = "png";
      job.params.frame = static_cast<int64_t>((size / 4) % 3);
      break;
    default:
      job.out_type = "png";
      job.params.time = 0.1;
      break;
  }
  return job;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char*** argv) {
  fuzz::init((*argv)[0]);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = fuzz::as_text(data, size);
  const video::VideoContainer container = video::sniff_video(bytes);
  if (video::is_video(bytes) != (container != video::VideoContainer::kNone)) {
    fuzz::fail("is_video disagrees with sniff_video");
  }
  if (container == video::VideoContainer::kNone) return 0;

  const video::VideoJob job = job_for(size);
  const video::FrameGraph graph = graph_for((size / 12) % 3);
  auto estimate = video::estimate_video_memory(bytes, job, graph, 8);
  if (!estimate.ok()) fuzz::check_error(estimate.error());

  auto out = video::run_video(bytes, job, graph);
  if (!out.ok()) {
    fuzz::check_error(out.error());
    // A 500 answers a fault of ours, never one of the input.
    if (out.error().kind() == ErrorKind::kInternal) fuzz::fail("kInternal for an input: " + out.error().message());
    return 0;
  }
  if (!estimate.ok()) fuzz::fail("run_video succeeded where its memory estimate failed");
  if (out->bytes.empty()) fuzz::fail("run_video gave an empty result");
  if (out->bytes.size() > job.limits.video.max_output_bytes) fuzz::fail("a result over max_output_bytes");
  return 0;
}
