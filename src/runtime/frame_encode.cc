#include "runtime/frame_encode.h"

#include "runtime/vips_eval.h"

#include <glib.h>
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
  // Tagged sRGB: the savers convert by interpretation, and op pipelines leave
  // whatever their last libvips operation set (a LUT's histogram, say).
  for (const Image& f : frames) {
    pages.push_back(convert(f, target).pixels.copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB)));
  }
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

void save(const VImage& strip, FrameFormat format, void** buf, size_t* len) {
  if (format == FrameFormat::kGif) {
    strip.write_to_buffer(".gif", buf, len,
                          VImage::option()->set("effort", kGifEffort)->set("dither", 1.0)->set("strip", true));
  } else {
    strip.write_to_buffer(
        ".webp", buf, len,
        VImage::option()->set("Q", kWebpQuality)->set("effort", kWebpEffort)->set("lossless", false)->set("strip",
                                                                                                          true));
  }
}

}  // namespace

PixelFormat frame_format(const Image& image) {
  return image.format.has_alpha() ? fmt::kRpGpBpAU8 : fmt::kRpGpBpU8;
}

Status check_same_size(const Image& first, const Image& other) {
  if (other.width() == first.width() && other.height() == first.height()) return ok_status();
  auto size = [](const Image& i) { return std::to_string(i.width()) + "x" + std::to_string(i.height()); };
  return Error(ErrorKind::kProcessingFailed,
               "the graph made frames of different sizes (" + size(first) + " and " + size(other) + ")");
}

Result<std::string> encode_frames(const std::vector<Image>& frames, FrameFormat format, const FrameTiming& timing,
                                  const Stop& stop) {
  if (frames.empty()) return Error(ErrorKind::kProcessingFailed, "no frames to encode");
  for (const Image& f : frames) {
    if (Status st = check_same_size(frames.front(), f); !st.ok()) return st.take_error();
  }
  void* buf = nullptr;
  size_t len = 0;
  try {
    const VImage strip = page_strip(frames, timing);
    Status st = evaluate(strip, stop, format == FrameFormat::kGif ? "encoding GIF" : "encoding WebP",
                         [&] { save(strip, format, &buf, &len); });
    if (!st.ok()) return st.take_error();
  } catch (const vips::VError& e) {
    spdlog::warn("libvips failed to assemble frames: {}", e.what());
    return Error(ErrorKind::kProcessingFailed, "the frames could not be encoded");
  }
  std::string bytes(static_cast<const char*>(buf), len);
  g_free(buf);
  return bytes;
}

}  // namespace imgflo::runtime
