// Encoding frames as an MP4 file in memory: H.264 through libx264 (libx264's
// default preset and a target bitrate, yuv420p), the moov index moved before
// the media data (movflags=+faststart) so a browser plays while downloading,
// and optionally one audio stream copied unchanged from the input.
//
// yuv420p needs even sides: an odd last column or row of the frames is cut.
// Memory: libx264's lookahead and reference frames (about 50 frames of
// width x height x 1.5 bytes) and the result, at most max_output_bytes.
//
// Not thread-safe: one encoder per run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vips/vips8>

#include "core/error.h"

struct AVFrame;
struct AVPacket;
struct AVStream;

namespace imgflo::runtime::video {

struct EncoderSettings {
  int width = 0;  // of every frame (odd sides lose their last column/row)
  int height = 0;
  int fps_num = 25;  // constant frame rate of the result
  int fps_den = 1;
  int64_t bitrate_bps = 100'000;
  uint64_t max_output_bytes = 100'000'000;
};

class Mp4Encoder {
 public:
  // Opens the encoder and the muxer; `audio` (nullable, must outlive the
  // encoder) is the input stream whose packets write_audio() will copy.
  // Errors: kInternal (libx264 missing or refusing the settings).
  static Result<std::unique_ptr<Mp4Encoder>> open(const EncoderSettings& settings, const AVStream* audio);
  virtual ~Mp4Encoder() = default;

  // Appends one frame (R'G'B' u8, in memory, settings' size) shown for one
  // frame period. Errors: kTooLarge (the result passed max_output_bytes),
  // kInternal.
  virtual Status write_frame(const vips::VImage& rgb) = 0;
  // Appends one decoder's frame (any size, a pixel format libswscale reads)
  // scaled to the settings' size in yuv420p (bicubic, as ffmpeg's scale
  // filter), shown for one frame period. Errors: as write_frame, kProcessingFailed
  // for a pixel format libswscale cannot read.
  virtual Status write_decoded(const AVFrame& frame) = 0;
  // Copies one packet of the audio stream given to open(). Errors:
  // kUndecodable (the muxer refuses the packet, e.g. its timestamps),
  // kTooLarge.
  virtual Status write_audio(AVPacket* packet) = 0;
  // Flushes the encoder, writes the index; the MP4 bytes.
  virtual Result<std::string> finish() = 0;
};

}  // namespace imgflo::runtime::video
