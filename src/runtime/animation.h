// Animated GIF and WebP inputs, frame by frame.
//
//   probe_animation(bytes)        header only: frame count, frame size, delays, loop
//   check_animation_limits(...)   frame count and pixels over all frames (kTooLarge, 422)
//   AnimationFrames::open(...)    every frame, lazily (nothing decoded yet)
//   map_frames(frames, work, ...) the graph on each frame in turn
//
// Frames are what libvips' loaders give with n=-1: each frame composited as a
// viewer shows it (GIF disposal and WebP blending applied), stacked top to
// bottom in one tall lazy image; a frame is decoded when a region of it is
// asked for. The strip is brought to sRGB with the file's embedded profile
// (to_srgb, as a still), then each frame goes through the same post-decode
// normalisation as a still image (normalise_decoded), so the graph sees what
// it would see for that frame saved as a still (EXIF orientation aside:
// frames are not rotated).
//
// Memory: each frame's result is computed into memory as 8-bit pixels
// (frame_format) before the next frame starts, so the graph's intermediate
// buffers of one frame are freed before the next; the finished frames
// (4 bytes x max_animation_pixels at most) are then written by libvips' savers.
// (Joining lazy per-frame pipelines instead was measured far worse: libvips
// keeps each input's region buffers of an arrayjoin alive for the whole
// write, about 25 MB per 500x500 frame through gradientmap; see
// bench/animation.sh.)
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "runtime/codec.h"
#include "runtime/frame_encode.h"
#include "runtime/image.h"

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace imgflo::runtime {

// An animated input, from its header.
struct Animation {
  ImageType type = ImageType::kUnknown;
  int frames = 0;  // >= 2
  int width = 0;   // of one frame, as stored
  int height = 0;
  FrameTiming timing;
};

// The animation in `bytes`, or nullopt when they are not a GIF or WebP with
// more than one frame (stills of any format included). Reads the header only.
// Errors: kUndecodable (corrupt GIF/WebP header).
Result<std::optional<Animation>> probe_animation(std::string_view bytes);

// kTooLarge (naming the limit) when `a` has more than limits.max_frames
// frames, or when its frames at `frame_width` x `frame_height` (as stored, or
// as the graph will receive them after a rescale) have more than
// limits.max_animation_pixels pixels together, or one frame more than
// limits.max_pixels.
Status check_animation_limits(const Animation& a, int frame_width, int frame_height, const DecodeLimits& limits);

// The frames of an animation, decoded lazily. Cheap to copy; thread-safe.
class AnimationFrames {
 public:
  // Opens every frame of `bytes`, whose header gave `a` (check the limits
  // first), brought to sRGB as a still is (`colour`: the file's embedded ICC
  // profile, e.g. an animated WebP's ICCP chunk, converts every frame).
  // EXIF orientation is not applied to frames. Errors: kUndecodable.
  static Result<AnimationFrames> open(std::string_view bytes, const Animation& a, ColourManagement colour);

  int count() const { return count_; }
  // Frame `index` (0 <= index < count()) as a normalised image (lazy).
  // Errors: kUndecodable.
  Result<Image> frame(int index) const;

 private:
  AnimationFrames(vips::VImage strip, int count, int width, int height)
      : strip_(std::move(strip)), count_(count), width_(width), height_(height) {}
  vips::VImage strip_;  // all frames, top to bottom
  int count_ = 0, width_ = 0, height_ = 0;
};

// Turns one normalised frame into one result frame (the graph).
using FrameWork = std::function<Result<Image>(const Image& frame)>;

// Runs `work` on every frame in order, checking `stop` before each, and
// computes each result into memory in its frame_format (see the header
// comment). Errors: the first error of `work` or of a frame, the Stop's error,
// kProcessingFailed when results differ in size.
Result<std::vector<Image>> map_frames(const AnimationFrames& frames, const FrameWork& work, const Stop& stop,
                                      uint64_t max_pixels);

}  // namespace imgflo::runtime
