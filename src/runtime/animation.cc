#include "runtime/animation.h"

#include "runtime/colour_management.h"
#include "runtime/op.h"

#include <spdlog/spdlog.h>

namespace imgflo::runtime {

using vips::VImage;

namespace {

// `n` frames (-1 = all) of an animated GIF or WebP, lazily; random access
// because graphs may read a frame more than once.
VImage load_frames(ImageType type, std::string_view bytes, int n) {
  const Blob blob(bytes);  // the loader keeps its own reference
  auto* opt = VImage::option()
                  ->set("n", n)
                  ->set("fail_on", VIPS_FAIL_ON_TRUNCATED)
                  ->set("access", VIPS_ACCESS_RANDOM);
  return type == ImageType::kGif ? VImage::gifload_buffer(blob.get(), opt) : VImage::webpload_buffer(blob.get(), opt);
}

int int_field(const VImage& v, const char* name, int fallback) {
  return vips_image_get_typeof(v.get_image(), name) != 0 ? v.get_int(name) : fallback;
}

FrameTiming read_timing(const VImage& v) {
  FrameTiming t;
  if (vips_image_get_typeof(v.get_image(), "delay") != 0) t.delays_ms = v.get_array_int("delay");
  t.loop = int_field(v, "loop", 0);
  return t;
}

Error too_large(const std::string& what, uint64_t value, uint64_t limit, const char* limit_name) {
  return Error(ErrorKind::kTooLarge,
               what + " " + std::to_string(value) + ", over the limit of " + std::to_string(limit) + " (" +
                   limit_name + ")",
               {{"limit", limit}});
}

// Frame `index` through `work`, in its frame_format (still lazy).
Result<Image> run_frame(const AnimationFrames& frames, int index, const FrameWork& work) {
  auto frame = frames.frame(index);
  if (!frame.ok()) return frame.take_error();
  try {
    auto result = work(*frame);
    if (!result.ok()) return result.take_error();
    return convert(*result, frame_format(*result));
  } catch (const vips::VError& e) {
    spdlog::warn("libvips failed on frame {}: {}", index, e.what());
    return Error(ErrorKind::kProcessingFailed, "processing frame " + std::to_string(index) + " failed");
  }
}

}  // namespace

Result<std::optional<Animation>> probe_animation(std::string_view bytes) {
  const ImageType type = sniff(bytes);
  if (type != ImageType::kGif && type != ImageType::kWebp) return std::optional<Animation>();
  try {
    const VImage first = load_frames(type, bytes, 1);
    const int frames = int_field(first, "n-pages", 1);
    if (frames < 2) return std::optional<Animation>();
    return std::optional<Animation>(Animation{type, frames, first.width(), first.height(), read_timing(first)});
  } catch (const vips::VError&) {
    return Error(ErrorKind::kUndecodable, "input image header is corrupt");
  }
}

Status check_animation_limits(const Animation& a, int frame_width, int frame_height, const DecodeLimits& limits) {
  const uint64_t frames = static_cast<uint64_t>(a.frames);
  const uint64_t frame_pixels = static_cast<uint64_t>(frame_width) * static_cast<uint64_t>(frame_height);
  if (a.frames > limits.max_frames) {
    return too_large("the animation's frame count is", frames, limits.max_frames, "IMGFLO_MAX_FRAMES");
  }
  if (frame_pixels > limits.max_pixels) {
    return too_large("a frame's pixel count is", frame_pixels, limits.max_pixels, "IMGFLO_MAX_PIXELS");
  }
  if (frames * frame_pixels > limits.max_animation_pixels) {
    return too_large("the pixel count over all frames is", frames * frame_pixels, limits.max_animation_pixels,
                     "IMGFLO_MAX_ANIMATION_PIXELS");
  }
  return ok_status();
}

Result<AnimationFrames> AnimationFrames::open(std::string_view bytes, const Animation& a, ColourManagement colour) {
  try {
    VImage strip = to_srgb(load_frames(a.type, bytes, -1), colour);  // one lazy transform for all frames
    if (strip.width() != a.width || strip.height() != a.height * a.frames) {
      return Error(ErrorKind::kUndecodable, "the animation's frames do not match its header");
    }
    return AnimationFrames(std::move(strip), a.frames, a.width, a.height);
  } catch (const vips::VError&) {
    return Error(ErrorKind::kUndecodable, "input image could not be decoded");
  }
}

Result<Image> AnimationFrames::frame(int index) const {
  try {
    return normalise_decoded(strip_.extract_area(0, index * height_, width_, height_));
  } catch (const vips::VError&) {
    return Error(ErrorKind::kUndecodable, "input image could not be decoded");
  }
}

Result<std::vector<Image>> map_frames(const AnimationFrames& frames, const FrameWork& work, const Stop& stop,
                                      uint64_t max_pixels) {
  const OpContext ctx(stop, max_pixels);
  std::vector<Image> out;
  out.reserve(static_cast<size_t>(frames.count()));
  for (int i = 0; i < frames.count(); ++i) {
    if (auto e = stop.check()) return *e;
    auto result = run_frame(frames, i, work);
    if (!result.ok()) return result.take_error();
    if (!out.empty()) {
      if (Status st = check_same_size(out.front(), *result); !st.ok()) return st.take_error();
    }
    auto pixels = ctx.materialize(result->pixels);
    if (!pixels.ok()) return pixels.take_error();
    result->pixels = std::move(*pixels);
    out.push_back(std::move(*result));
  }
  return out;
}

}  // namespace imgflo::runtime
