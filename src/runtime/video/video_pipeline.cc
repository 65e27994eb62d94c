#include "runtime/video/video_pipeline.h"

#include <spdlog/spdlog.h>

#include <cmath>

#include "core/mime.h"
#include "request/param_value.h"
#include "runtime/codec.h"
#include "runtime/frame_encode.h"
#include "runtime/memory_estimate.h"
#include "runtime/op.h"
#include "runtime/output_encode.h"
#include "runtime/video/libav.h"
#include "runtime/video/video_decoder.h"
#include "runtime/video/video_encoder.h"

namespace imgflo::runtime::video {

namespace {

constexpr double kFallbackFps = 25;  // inputs whose header gives no frame rate

// Output frame k is shown from k / fps: a frame shown until `until` seconds
// covers the output frames from the last one counted to round(until x fps).
class FrameClock {
 public:
  explicit FrameClock(double fps) : fps_(fps) {}
  int64_t frames_until(double until) {
    const auto end = static_cast<int64_t>(std::llround(std::min(until * fps_, 1e15)));
    const int64_t n = std::max<int64_t>(0, end - next_);
    next_ += n;
    return n;
  }
  int64_t emitted() const { return next_; }

 private:
  double fps_;
  int64_t next_ = 0;
};

using Emit = std::function<Status(const DecodedFrame& frame, int64_t copies)>;

// Decodes every frame and emits each with the number of output frames it
// covers at `fps` (0 when dropped), the last one at least once.
Status resample(VideoDecoder& decoder, double fps, const Stop& stop, const AudioSink& audio, const Emit& emit) {
  FrameClock clock(fps);
  std::optional<DecodedFrame> pending;
  for (;;) {
    if (auto e = stop.check()) return *e;
    auto next = decoder.next(audio);
    if (!next.ok()) return next.take_error();
    if (!*next) break;
    if (pending) {
      if (Status st = emit(*pending, clock.frames_until((*next)->time_s)); !st.ok()) return st;
    }
    pending = std::move(**next);
  }
  if (!pending) return Error(ErrorKind::kUndecodable, "input video has no decodable frame");
  const double in_fps = decoder.info().fps > 0 ? decoder.info().fps : fps;
  const int64_t last = clock.frames_until(pending->time_s + 1 / in_fps);
  return emit(*pending, clock.emitted() == 0 ? 1 : last);
}

double output_fps(const VideoParams& params, const VideoInfo& info) {
  if (params.framerate) return *params.framerate;
  return info.fps >= kMinFramerate && info.fps <= kMaxFramerate ? info.fps : kFallbackFps;
}

// The graph (`work`) on one decoded frame, lazily.
Result<Image> run_graph(const FrameWork& work, const DecodedFrame& frame) {
  auto image = normalise_decoded(frame.rgb);
  if (!image.ok()) return image.take_error();
  try {
    return work(*image);
  } catch (const vips::VError& e) {
    spdlog::warn("libvips failed on a video frame: {}", e.what());
    return Error(ErrorKind::kProcessingFailed, "processing a video frame failed");
  }
}

// The graph's result for `frame` computed into memory in `format` (absent:
// its frame_format).
Result<Image> finished_frame(const FrameWork& work, const DecodedFrame& frame,
                             const std::optional<PixelFormat>& format, const VideoJob& job) {
  auto result = run_graph(work, frame);
  if (!result.ok()) return result.take_error();
  try {
    Image out = convert(*result, format.value_or(frame_format(*result)));
    auto pixels = OpContext(job.stop, job.limits.max_pixels).materialize(out.pixels);
    if (!pixels.ok()) return pixels.take_error();
    out.pixels = std::move(*pixels);
    return out;
  } catch (const vips::VError& e) {
    spdlog::warn("libvips failed on a video frame: {}", e.what());
    return Error(ErrorKind::kProcessingFailed, "processing a video frame failed");
  }
}

// Audio packets read before the encoder exists (it opens on the first
// result, whose size it takes), at most kMaxEarlyAudio; later ones are dropped.
constexpr size_t kMaxEarlyAudio = 1024;

class Mp4Run {
 public:
  // `size`: graph.plan()'s for the decoder's frames.
  Mp4Run(VideoDecoder& decoder, const VideoJob& job, const FrameGraph& graph, FrameSize size)
      : decoder_(decoder), job_(job), graph_(graph), size_(size) {
    if (graph_.rescale_only) {
      decoder_.keep_decoded();
    } else if (graph_.planned_work) {
      decoder_.convert_at(size.width, size.height);
    }
  }

  Result<Output> run() {
    const double fps = output_fps(job_.params, decoder_.info());
    rate_ = av_d2q(fps, 1'001'000);
    const AudioSink audio = [this](AVPacket* packet) { return on_audio(packet); };
    const Emit emit = [this](const DecodedFrame& frame, int64_t copies) { return on_frame(frame, copies); };
    if (Status st = resample(decoder_, fps, job_.stop, audio, emit); !st.ok()) return st.take_error();
    auto bytes = encoder_->finish();
    if (!bytes.ok()) return bytes.take_error();
    return Output{std::move(*bytes), "mp4", std::string(content_type_for("mp4"))};
  }

 private:
  Status on_audio(AVPacket* packet) {
    if (encoder_) return encoder_->write_audio(packet);
    if (early_audio_.size() < kMaxEarlyAudio) early_audio_.emplace_back(av_packet_clone(packet));
    return ok_status();
  }

  Status on_frame(const DecodedFrame& frame, int64_t copies) {
    if (copies == 0) return ok_status();
    if (frame.decoded) return write_copies(copies, [&] { return encoder_->write_decoded(*frame.decoded); });
    auto result = finished_frame(graph_.planned_work ? graph_.planned_work : graph_.work, frame, fmt::kRpGpBpU8, job_);
    if (!result.ok()) return result.take_error();
    if (!encoder_) size_ = FrameSize{result->width(), result->height()};
    return write_copies(copies, [&] { return encoder_->write_frame(result->pixels); });
  }

  // Opens the encoder at size_ on the first frame, then writes `copies` frames.
  Status write_copies(int64_t copies, const std::function<Status()>& write) {
    if (!encoder_) {
      if (Status st = open_encoder(); !st.ok()) return st;
    }
    for (int64_t i = 0; i < copies; ++i) {
      if (Status st = write(); !st.ok()) return st;
    }
    return ok_status();
  }

  Status open_encoder() {
    const EncoderSettings settings{size_.width,
                                   size_.height,
                                   rate_.num,
                                   rate_.den,
                                   int64_t{job_.params.bitrate_kbps} * 1000,
                                   job_.limits.video.max_output_bytes};
    auto opened = Mp4Encoder::open(settings, decoder_.audio_stream());
    if (!opened.ok()) return opened.take_error();
    encoder_ = std::move(*opened);
    for (auto& packet : early_audio_) {
      if (!packet) continue;
      if (Status st = encoder_->write_audio(packet.get()); !st.ok()) return st;
    }
    early_audio_.clear();
    return ok_status();
  }

  VideoDecoder& decoder_;
  const VideoJob& job_;
  const FrameGraph& graph_;
  FrameSize size_;  // of the encoder's frames (the first result's)
  AVRational rate_{25, 1};
  std::unique_ptr<Mp4Encoder> encoder_;
  std::vector<PacketPtr> early_audio_;
};

// Every frame through the graph, kept in memory until written as one file.
Result<Output> run_animated(VideoDecoder& decoder, const VideoJob& job, const FrameGraph& graph, FrameFormat format) {
  const double fps = output_fps(job.params, decoder.info());
  std::vector<Image> frames;
  uint64_t pixels = 0;
  const Emit emit = [&](const DecodedFrame& frame, int64_t copies) -> Status {
    if (copies == 0) return ok_status();
    auto result =
        finished_frame(graph.work, frame, frames.empty() ? std::nullopt : std::optional(frames.front().format), job);
    if (!result.ok()) return result.take_error();
    if (!frames.empty()) {
      if (Status st = check_same_size(frames.front(), *result); !st.ok()) return st;
    }
    for (int64_t i = 0; i < copies; ++i) {
      pixels += static_cast<uint64_t>(result->width()) * static_cast<uint64_t>(result->height());
      if (static_cast<int64_t>(frames.size()) >= job.limits.max_frames || pixels > job.limits.max_animation_pixels) {
        return Error(ErrorKind::kTooLarge,
                     "an animation of this video has more than " + std::to_string(job.limits.max_frames) +
                         " frames or " + std::to_string(job.limits.max_animation_pixels) +
                         " pixels (IMGFLO_MAX_FRAMES, IMGFLO_MAX_ANIMATION_PIXELS)",
                     {{"limit", job.limits.max_frames}});
      }
      frames.push_back(*result);
    }
    return ok_status();
  };
  if (Status st = resample(decoder, fps, job.stop, nullptr, emit); !st.ok()) return st.take_error();
  FrameTiming timing;
  timing.delays_ms.assign(frames.size(), static_cast<int>(std::lround(1000 / fps)));
  auto bytes = encode_frames(frames, format, timing, job.stop, job.options);
  if (!bytes.ok()) return bytes.take_error();
  if (bytes->size() > job.limits.video.max_output_bytes) {
    return Error(ErrorKind::kTooLarge,
                 "the animation of this video is " + std::to_string(bytes->size()) + " bytes, over the limit of " +
                     std::to_string(job.limits.video.max_output_bytes) + " (IMGFLO_VIDEO_MAX_OUTPUT_BYTES)",
                 {{"limit", job.limits.video.max_output_bytes}});
  }
  return Output{std::move(*bytes), job.out_type, std::string(content_type_for(job.out_type))};
}

// The frame asked for (VideoParams::frame or ::time, else the first).
Result<DecodedFrame> poster_frame(VideoDecoder& decoder, const VideoParams& params, const Stop& stop) {
  std::optional<DecodedFrame> chosen;
  for (int64_t index = 0;; ++index) {
    if (auto e = stop.check()) return *e;
    auto next = decoder.next(nullptr);
    if (!next.ok()) return next.take_error();
    if (!*next) break;
    if (params.time && (*next)->time_s > *params.time && chosen) break;
    chosen = std::move(**next);
    if (!params.time && index >= params.frame.value_or(0)) return std::move(*chosen);
  }
  if (params.time && chosen) return std::move(*chosen);
  return Error(ErrorKind::kInvalidArgument,
               "frame=" + std::to_string(params.frame.value_or(0)) + " is past the video's last frame",
               {{"parameter", "frame"}});
}

Result<Output> run_poster(VideoDecoder& decoder, const VideoJob& job, const FrameGraph& graph) {
  auto frame = poster_frame(decoder, job.params, job.stop);
  if (!frame.ok()) return frame.take_error();
  auto result = run_graph(graph.work, *frame);
  if (!result.ok()) return result.take_error();
  return encode_output(*result, job.out_type, job.options, job.stop);
}

std::optional<FrameFormat> animated_output(const std::string& out_type) {
  if (out_type == "gif") return FrameFormat::kGif;
  if (out_type == "webp") return FrameFormat::kWebp;
  return std::nullopt;
}

// Whether the job gives one still frame (no mp4, no animation).
bool gives_poster(const VideoJob& job) {
  return !is_video_output(job.out_type) && (!animated_output(job.out_type) || job.params.poster());
}

// The header's limits for frames of `size` (as the graph gets them); a
// poster needs only its frame, so the video's length does not count then.
Status check_job_limits(VideoInfo info, const FrameSize& size, const VideoJob& job) {
  if (gives_poster(job)) {
    info.duration_s = 0;
    info.frames = 0;
  }
  return check_video_limits(info, size.width, size.height, job.limits.video);
}

// The video in `bytes` opened, the graph's frame size planned and the
// header's limits checked: what run_video and estimate_video_memory start from.
struct OpenedVideo {
  std::unique_ptr<VideoDecoder> decoder;
  FrameSize size;
};
Result<OpenedVideo> open_checked(std::string_view bytes, const VideoJob& job, const FrameGraph& graph) {
  auto decoder = VideoDecoder::open(bytes, sniff_video(bytes), job.limits.video);
  if (!decoder.ok()) return decoder.take_error();
  const VideoInfo& info = (*decoder)->info();
  auto size = graph.plan(info.width, info.height);
  if (!size.ok()) return size.take_error();
  if (Status st = check_job_limits(info, *size, job); !st.ok()) return st.take_error();
  return OpenedVideo{std::move(*decoder), *size};
}

// video_bitrate, video_framerate, frame, time: a number in [min, max].
std::optional<double> parse_number(std::string_view text, double min, double max) {
  auto v = request::parse_param({request::ParamType::kNumber, std::nullopt, std::nullopt, {}}, "", text);
  if (!v.ok()) return std::nullopt;
  const double d = std::get<double>(*v);
  if (!std::isfinite(d) || d < min || d > max) return std::nullopt;
  return d;
}

}  // namespace

Result<VideoParams> take_video_params(request::Params& params) {
  VideoParams out;
  std::optional<Error> bad;
  const auto fail = [&](const std::string& name, const std::string& text, const std::string& allowed) {
    if (!bad) bad = request::invalid_value(name, text, allowed);
  };
  std::erase_if(params, [&](const auto& p) {
    const auto& [name, text] = p;
    if (name == "video_bitrate") {
      const auto v = parse_number(text, kMinBitrateKbps, kMaxBitrateKbps);
      if (!v || *v != std::floor(*v)) fail(name, text, "an integer from 100 to 10000 (kb/s)");
      if (v) out.bitrate_kbps = static_cast<int>(*v);
    } else if (name == "video_framerate") {
      out.framerate = parse_number(text, kMinFramerate, kMaxFramerate);
      if (!out.framerate) fail(name, text, "a number from 1 to 100 (frames per second)");
    } else if (name == "frame") {
      const auto v = parse_number(text, 0, 1e9);
      if (!v || *v != std::floor(*v)) fail(name, text, "an integer from 0");
      out.frame = v ? std::optional<int64_t>(static_cast<int64_t>(*v)) : std::nullopt;
    } else if (name == "time") {
      out.time = parse_number(text, 0, 1e9);
      if (!out.time) fail(name, text, "a number of seconds from 0");
    } else {
      return false;
    }
    return true;
  });
  if (bad) return *bad;
  if (out.frame && out.time) {
    return Error(ErrorKind::kInvalidArgument, "give either frame or time, not both", {{"parameter", "time"}});
  }
  return out;
}

std::vector<ParamInfo> video_parameters() {
  return {{"video_bitrate",
           {{"type", "int"},
            {"description", "Bitrate of output video (kb/s)"},
            {"default", kDefaultBitrateKbps},
            {"minimum", kMinBitrateKbps},
            {"maximum", kMaxBitrateKbps}}},
          {"video_framerate",
           {{"type", "number"},
            {"description", "Frames per second in output video (default: the input's)"},
            {"minimum", kMinFramerate},
            {"maximum", kMaxFramerate}}},
          {"frame",
           {{"type", "int"},
            {"description", "Video input to an image: the frame shown (0-based; default the first)"},
            {"minimum", 0}}},
          {"time",
           {{"type", "number"},
            {"description", "Video input to an image: the frame shown at this time (seconds)"},
            {"minimum", 0}}}};
}

bool is_video_output(std::string_view out_type) { return out_type == "mp4"; }

bool is_video(std::string_view bytes) { return sniff_video(bytes) != VideoContainer::kNone; }

Result<uint64_t> estimate_video_memory(std::string_view bytes, const VideoJob& job, const FrameGraph& graph,
                                       double ops_bytes_per_pixel) {
  constexpr double kDecoderFrames = 16 * 1.5 + 3;  // reference frames in yuv420p, one RGB frame
  constexpr double kGraphBytes = 8;
  constexpr double kEncoderFrames = 60 * 1.5;
  constexpr double kAnimationFrameBytes = 4;
  auto opened = open_checked(bytes, job, graph);
  if (!opened.ok()) return opened.take_error();
  const VideoInfo& info = opened->decoder->info();
  const FrameSize& size = opened->size;
  const double stored = static_cast<double>(info.width) * info.height;
  const double out = static_cast<double>(size.width) * size.height;
  double bytes_held = stored * kDecoderFrames + out * (kGraphBytes + ops_bytes_per_pixel);
  if (is_video_output(job.out_type)) {
    const double encoded = std::min(static_cast<double>(job.limits.video.max_output_bytes),
                                    job.params.bitrate_kbps * 125.0 * std::max(info.duration_s, 1.0) * 2);
    bytes_held += out * kEncoderFrames + 2 * encoded;
  } else if (!gives_poster(job)) {  // an animation
    const double frames = std::max<double>(
        1, std::min<double>(static_cast<double>(std::max<int64_t>(info.frames, 1)), job.limits.max_frames));
    bytes_held += out * kAnimationFrameBytes * frames * 2;
  } else {
    bytes_held += out * encoder_bytes_per_pixel(job.out_type);
  }
  return bytes_held >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(bytes_held);
}

Result<Output> run_video(std::string_view bytes, const VideoJob& job, const FrameGraph& graph) {
  auto opened = open_checked(bytes, job, graph);
  if (!opened.ok()) return opened.take_error();
  VideoDecoder& decoder = *opened->decoder;
  if (is_video_output(job.out_type)) return Mp4Run(decoder, job, graph, opened->size).run();
  if (!gives_poster(job)) return run_animated(decoder, job, graph, *animated_output(job.out_type));
  return run_poster(decoder, job, graph);
}

}  // namespace imgflo::runtime::video
