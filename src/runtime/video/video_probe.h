// Video inputs: recognising them from their bytes, and the limits checked
// from their header before any frame is decoded.
//
//   sniff_video(bytes)                 MP4/MOV, WebM/Matroska or ASF, by signature
//   check_video_limits(info, w, h, l)  duration, frames, pixels per frame and in total
//
// Both are pure functions of their arguments (no libav*): the decoder
// (video_decoder.h) fills a VideoInfo from the container's header and the
// pipeline (video_pipeline.h) checks it with the graph's frame size.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/error.h"

namespace imgflo::runtime::video {

// The accepted video containers, each opened with its own libavformat demuxer
// (never by probing):
//   kMp4   ISO-BMFF with a leading 'ftyp' box whose major brand is a video
//          one (isom, iso2-6, mp41, mp42, avc1, 'qt  ', M4V, 3gp*, 3g2*,
//          dash, mmp4, MSNV, f4v); HEIF/AVIF image brands are not video
//   kWebm  EBML header (1A 45 DF A3) with DocType "webm" or "matroska"
//   kAsf   the ASF header object's GUID (the original's test video is ASF
//          inside a .mp4 name)
enum class VideoContainer { kNone, kMp4, kWebm, kAsf };

VideoContainer sniff_video(std::string_view bytes);

// The libavformat demuxer name for a container ("mov", "matroska", "asf").
const char* demuxer_name(VideoContainer c);

// What the container's header says, before decoding.
struct VideoInfo {
  VideoContainer container = VideoContainer::kNone;
  int width = 0;  // of a frame, as stored
  int height = 0;
  double duration_s = 0;   // 0 when the header gives none
  double fps = 0;          // the stream's frame rate; 0 when unknown
  int64_t frames = 0;      // declared frame count, else duration x fps (rounded up); 0 when unknown
  bool has_audio = false;  // an audio stream the output container can carry unchanged
};

// Video limits (DecodeLimits holds them; IMGFLO_VIDEO_* settings).
struct VideoLimits {
  // Longest input, seconds (header duration, then the frames' timestamps).
  double max_seconds = 300;
  // Most frames decoded or written (declared, then counted).
  int64_t max_frames = 9'000;
  // Pixels of one frame, as stored and as the graph gets it: 3840 x 2160.
  uint64_t max_frame_pixels = 8'294'400;
  // Pixels over all frames the graph gets (after width/height): about five
  // minutes of 1080p at 30 fps.
  uint64_t max_total_pixels = 20'000'000'000;
  // Largest encoded result (mp4, gif, webp), bytes.
  uint64_t max_output_bytes = 100'000'000;
};

// kTooLarge (422, naming the setting) when `info` is over `limits`, with
// frames of `frame_width` x `frame_height` (as stored, or as the graph will
// get them after a rescale): its duration, declared frame count, one frame's
// pixels, or the frames' pixels together. Unknown (0) values pass.
Status check_video_limits(const VideoInfo& info, int frame_width, int frame_height, const VideoLimits& limits);

// kTooLarge once the `frames`-th frame (1-based) at `time_s` seconds, of
// `frame_pixels` pixels, makes the decoded video exceed `limits`: the same
// limits counted while decoding (a header may understate).
Status check_decoded_frame(int64_t frames, double time_s, uint64_t frame_pixels, const VideoLimits& limits);

}  // namespace imgflo::runtime::video
