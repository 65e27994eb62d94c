// A video input through an imgflo graph, frame by frame, streaming.
//
//   take_video_params(params)        video_bitrate, video_framerate, frame, time
//   run_video(bytes, job, graph)     decode -> graph per frame -> encode
//
// What a video input gives, by output type:
//   mp4        every frame through the graph, H.264 at `video_bitrate` kb/s
//              (default 100, the original's), `video_framerate` frames per
//              second (default: the input's; frames are repeated or dropped
//              to keep their times), audio copied unchanged when it is
//              AAC, MP3 or MP2 (video_decoder.cc), else dropped (Vorbis and
//              Opus of a WebM, WMA of an ASF, AC-3, FLAC)
//   gif, webp  an animated image of every frame (at `video_framerate`);
//              with `frame` or `time`, the poster frame as a still
//   others     (jpg, png, avif, jxl) the poster frame as a still: `frame=N`
//              (0-based) or `time=SECONDS` (the frame shown then), default
//              the first frame
// Frames come out of the decoder one at a time; each is converted to R'G'B'
// u8, given to the graph (after width/height/fit, FrameGraph), its result
// computed into memory and handed to the encoder before the next frame is
// decoded. For an mp4, libswscale does the rescale when it can (bicubic on
// the stored values, as ffmpeg's scale filter, not the runtime's linear-light
// rescale): a graph that only rescales (FrameGraph::rescale_only) skips R'G'B'
// and the graph, the decoder's frames scaled straight to the encoder's
// yuv420p (the whole frame to the even size, where the graph's partly
// covered last row or column would be cut); a graph whose first step is the
// rescale (FrameGraph::planned_work) gets R'G'B' frames already at the
// planned size. Memory: the decoder's and libx264's frames (video_encoder.h), one
// frame through the graph, the result; for gif/webp every finished frame
// (bounded by max_frames and max_animation_pixels, as animations).
//
// Limits (VideoLimits, video_probe.h) are checked from the header before any
// frame is decoded, then counted while decoding; the Stop is polled per frame.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/error.h"
#include "request/params.h"
#include "runtime/animation.h"
#include "runtime/output_options.h"
#include "runtime/runtime.h"

namespace imgflo::runtime::video {

// The original's default video bitrate, kb/s, and the parameter's range.
inline constexpr int kDefaultBitrateKbps = 100;
inline constexpr int kMinBitrateKbps = 100;
inline constexpr int kMaxBitrateKbps = 10'000;
inline constexpr double kMinFramerate = 1;
inline constexpr double kMaxFramerate = 100;

struct VideoParams {
  int bitrate_kbps = kDefaultBitrateKbps;
  std::optional<double> framerate;  // absent: the input's
  std::optional<int64_t> frame;     // poster frame, 0-based
  std::optional<double> time;       // poster time, seconds
  bool poster() const { return frame.has_value() || time.has_value(); }
};

// Parses and removes video_bitrate, video_framerate, frame and time from
// `params` (a later value wins). kInvalidArgument (400) for a value that is
// not a number in range, or frame and time both given.
Result<VideoParams> take_video_params(request::Params& params);

// The four parameters as the catalogue describes them.
std::vector<ParamInfo> video_parameters();

// The output types a video input can give as a video ("mp4").
bool is_video_output(std::string_view out_type);

// Whether `bytes` are a video container run_video accepts (video_probe.h).
bool is_video(std::string_view bytes);

struct FrameSize {
  int width = 0;
  int height = 0;
};

// The graph as the pipeline sees it.
struct FrameGraph {
  // The size frames of width x height will have once rescaled for the graph
  // (for the limits); errors as plan_rescale.
  std::function<Result<FrameSize>(int width, int height)> plan;
  // One frame (R'G'B' u8) to the graph's result (lazy).
  FrameWork work;
  // When set: what `work` does after its rescale, on a frame (R'G'B' u8)
  // already at plan()'s size (a rescale without cut or padding).
  FrameWork planned_work;
  // True when `work` only rescales the frame to plan()'s size: no op, no
  // cut, no padding, no named input (an mp4 then skips it, see above).
  bool rescale_only = false;
};

struct VideoJob {
  std::string out_type;
  VideoParams params;
  OutputOptions options;
  DecodeLimits limits;
  Stop stop;
};

// Runs `graph` on the video in `bytes` (is_video) as the table above says.
// Errors: kUndecodable (not an accepted or intact video, no video stream),
// kTooLarge (a limit), kInvalidArgument (a poster frame past the end), the
// graph's errors, the Stop's error.
Result<Output> run_video(std::string_view bytes, const VideoJob& job, const FrameGraph& graph);

// What run_video(bytes, job, graph) may hold at once beyond the job's base
// and the input bytes (runtime/memory_estimate.h), from the header and the
// graph's frame size, before any frame is converted: the decoder's reference
// frames (16 of the stored size in yuv420p, H.264's most) and one RGB frame,
// the graph on one frame (8 bytes per pixel plus `ops_bytes_per_pixel`), and
// by output type libx264's lookahead and references (60 frames of yuv420p)
// with the result (bitrate x duration, at most max_output_bytes, twice for
// the string's growth), every finished frame of an animation (4 bytes per
// pixel), or one still's encoder. Independent of the duration but for the
// animation and the mp4 bytes. Errors: those of run_video's header checks.
Result<uint64_t> estimate_video_memory(std::string_view bytes, const VideoJob& job, const FrameGraph& graph,
                                       double ops_bytes_per_pixel);

}  // namespace imgflo::runtime::video
