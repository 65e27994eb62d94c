// Decoding a video input one frame at a time (libavformat + libavcodec over
// the bytes in memory, no files), each frame converted to R'G'B' u8 with
// libswscale at the first frame's size, or (keep_decoded) handed over as the
// decoder made it, for an encoder that scales it itself.
//
// Only the demuxer of the sniffed container is used (video_probe.h), and only
// the decoders of kVideoDecoders; every decoder is opened single-threaded with
// libavcodec's max_pixels set to the frame pixel limit, so a header that
// declares a huge frame fails before its buffers are allocated. Memory: the
// demuxer's index, the decoder's reference frames, one RGB frame.
//
// Not thread-safe: one decoder per run.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vips/vips8>

#include "core/deadline.h"
#include "core/error.h"
#include "runtime/video/video_probe.h"

struct AVFrame;
struct AVPacket;
struct AVStream;

namespace imgflo::runtime::video {

// A decoded frame: R'G'B' u8 pixels in memory (sRGB interpretation) or,
// after keep_decoded(), the decoder's own frame (any size and pixel format,
// rgb empty); and its presentation time in seconds from the video's first
// frame.
struct DecodedFrame {
  vips::VImage rgb;
  std::shared_ptr<const AVFrame> decoded;
  double time_s = 0;
};

// Receives each packet of the copied audio stream, in file order (timestamps
// in the stream's time base, relative to the input's start).
using AudioSink = std::function<Status(AVPacket* packet)>;

class VideoDecoder {
 public:
  // Opens `bytes` (which must outlive the decoder) as `container`: reads the
  // header, picks the best video stream, opens its decoder. Errors:
  // kUndecodable (corrupt or truncated header, no video stream, a codec not
  // accepted), kTooLarge (a frame over limits.max_frame_pixels as any video
  // stream's header declares it, checked before any frame is decoded). The
  // declared duration and frame count are the caller's to check
  // (check_video_limits: a poster frame does not depend on them); decoding
  // counts them (next).
  static Result<std::unique_ptr<VideoDecoder>> open(std::string_view bytes, VideoContainer container,
                                                    const VideoLimits& limits);
  virtual ~VideoDecoder() = default;

  virtual const VideoInfo& info() const = 0;
  // The audio stream copied to an mp4 result (VideoInfo::has_audio), else nullptr.
  virtual const AVStream* audio_stream() const = 0;

  // From now on, frames are converted to R'G'B' at width x height (both >= 1)
  // instead of the stored size (libswscale, bicubic).
  virtual void convert_at(int width, int height) = 0;
  // From now on, frames come as the decoder's (DecodedFrame::decoded), not
  // converted to R'G'B'.
  virtual void keep_decoded() = 0;

  // The next frame in presentation order; nullopt after the last. Packets of
  // the audio stream read on the way go to `audio` when given. Each frame is
  // counted against the limits (check_decoded_frame). Errors: kUndecodable
  // (truncated or corrupt data), kTooLarge, the sink's errors.
  virtual Result<std::optional<DecodedFrame>> next(const AudioSink& audio) = 0;
};

}  // namespace imgflo::runtime::video
