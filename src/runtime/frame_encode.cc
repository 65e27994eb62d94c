#include "runtime/frame_encode.h"

#include "runtime/save_buffer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace imgflo::runtime {

using vips::VImage;

namespace {

constexpr int kGifEffort = 5;
constexpr int kWebpQuality = 80;
constexpr int kWebpEffort = 4;

// The frames stacked top to bottom, tagged as pages for the savers.
VImage page_strip(const std::vector<Image>& frames, const FrameTiming& timing) {
  const bool alpha = std::any_of(frames.begin(), frames.end(), [](const Image& f) { return f.format.has_alpha(); });
  const PixelFormat target = alpha ? fmt::kRpGpBpAU8 : fmt::kRpGpBpU8;
  std::vector<VImage> pages;
  pages.reserve(frames.size());
  for (const Image& f : frames) pages.push_back(saver_pixels(f, target));
  if (pages.size() == 1) return pages.front();
  VImage strip = VImage::arrayjoin(pages, VImage::option()->set("across", 1)).copy();
  strip.set("page-height", frames.front().height());
  strip.set("n-pages", static_cast<int>(frames.size()));
  std::vector<int> delays = timing.delays_ms;
  delays.resize(frames.size(), delays.empty() ? 100 : delays.back());
  strip.set("delay", delays);
  strip.set("loop", timing.loop);
  return strip;
}

Result<std::string> save(const VImage& strip, FrameFormat format, const OutputOptions& options, const Stop& stop) {
  if (format == FrameFormat::kGif) {
    return save_to_string(
        strip, ".gif",
        [] { return VImage::option()->set("effort", kGifEffort)->set("dither", 1.0)->set("strip", true); }, stop,
        "encoding GIF");
  }
  return save_to_string(
      strip, ".webp",
      [&] {
        return VImage::option()
            ->set("Q", options.lossless ? kWebpQuality : options.quality_or(kWebpQuality))
            ->set("effort", kWebpEffort)
            ->set("lossless", options.lossless)
            ->set("strip", true);
      },
      stop, "encoding WebP");
}

}  // namespace

PixelFormat frame_format(const Image& image) {
  return image.format.has_alpha() ? fmt::kRpGpBpAU8 : fmt::kRpGpBpU8;
}

VImage saver_pixels(const Image& image, const PixelFormat& target) {
  return convert(image, target).pixels.copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

Status check_same_size(const Image& first, const Image& other) {
  if (other.width() == first.width() && other.height() == first.height()) return ok_status();
  auto size = [](const Image& i) { return std::to_string(i.width()) + "x" + std::to_string(i.height()); };
  return Error(ErrorKind::kProcessingFailed,
               "the graph made frames of different sizes (" + size(first) + " and " + size(other) + ")");
}

Result<std::string> encode_frames(const std::vector<Image>& frames, FrameFormat format, const FrameTiming& timing,
                                  const Stop& stop, const OutputOptions& options) {
  if (frames.empty()) return Error(ErrorKind::kProcessingFailed, "no frames to encode");
  for (const Image& f : frames) {
    if (Status st = check_same_size(frames.front(), f); !st.ok()) return st.take_error();
  }
  try {
    return save(page_strip(frames, timing), format, options, stop);
  } catch (const vips::VError& e) {
    spdlog::warn("libvips failed to assemble frames: {}", e.what());
    return Error(ErrorKind::kProcessingFailed, "the frames could not be encoded");
  }
}

}  // namespace imgflo::runtime
