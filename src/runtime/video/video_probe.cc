#include "runtime/video/video_probe.h"

#include <array>
#include <cmath>
#include <string>

#include "runtime/magic.h"

namespace imgflo::runtime::video {

namespace {

bool has_at(std::string_view b, std::string_view magic, size_t at = 0) {
  return b.size() >= at + magic.size() && b.substr(at, magic.size()) == magic;
}

bool video_brand(std::string_view brand) {
  static constexpr std::array<std::string_view, 17> kBrands = {"isom", "iso2", "iso3", "iso4", "iso5", "iso6",
                                                               "mp41", "mp42", "avc1", "qt  ", "M4V ", "dash",
                                                               "mmp4", "MSNV", "f4v ", "M4VH", "M4VP"};
  for (auto b : kBrands) {
    if (brand == b) return true;
  }
  return has_at(brand, "3gp") || has_at(brand, "3g2");
}

bool is_mp4(std::string_view b) {
  if (!has_at(b, "ftyp", 4) || b.size() < 12) return false;
  if (isobmff_image(b) != IsoBmffImage::kNone) return false;
  return video_brand(b.substr(8, 4));
}

// EBML magic, then the DocType element (42 82, a one-byte size) within the
// header's first 64 bytes.
bool is_webm(std::string_view b) {
  if (!has_at(b, "\x1A\x45\xDF\xA3")) return false;
  const std::string_view head = b.substr(0, 64);
  const size_t at = head.find("\x42\x82");
  if (at == std::string_view::npos || at + 3 > head.size()) return false;
  const auto size = static_cast<unsigned char>(head[at + 2]);
  const std::string_view doc = head.substr(at + 3);
  return (size == 0x84 && has_at(doc, "webm")) || (size == 0x88 && has_at(doc, "matroska"));
}

bool is_asf(std::string_view b) {
  return has_at(b, std::string_view("\x30\x26\xB2\x75\x8E\x66\xCF\x11\xA6\xD9\x00\xAA\x00\x62\xCE\x6C", 16));
}

Error over_limit(const std::string& what, const std::string& value, const std::string& limit, const char* setting) {
  return Error(ErrorKind::kTooLarge,
               "the video's " + what + " is " + value + ", over the limit of " + limit + " (" + setting + ")",
               {{"limit", limit}});
}

std::string seconds_text(double s) {
  const long long tenths = std::llround(s * 10);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

}  // namespace

VideoContainer sniff_video(std::string_view bytes) {
  if (is_mp4(bytes)) return VideoContainer::kMp4;
  if (is_webm(bytes)) return VideoContainer::kWebm;
  if (is_asf(bytes)) return VideoContainer::kAsf;
  return VideoContainer::kNone;
}

const char* demuxer_name(VideoContainer c) {
  switch (c) {
    case VideoContainer::kMp4:
      return "mov";
    case VideoContainer::kWebm:
      return "matroska";
    case VideoContainer::kAsf:
      return "asf";
    case VideoContainer::kNone:
      break;
  }
  return "";
}

Status check_video_limits(const VideoInfo& info, int frame_width, int frame_height, const VideoLimits& limits) {
  if (info.duration_s > limits.max_seconds) {
    return over_limit("duration", seconds_text(info.duration_s), seconds_text(limits.max_seconds),
                      "IMGFLO_VIDEO_MAX_SECONDS");
  }
  if (info.frames > limits.max_frames) {
    return over_limit("frame count", std::to_string(info.frames), std::to_string(limits.max_frames),
                      "IMGFLO_VIDEO_MAX_FRAMES");
  }
  for (const auto& [w, h] : {std::pair{info.width, info.height}, std::pair{frame_width, frame_height}}) {
    const uint64_t pixels = static_cast<uint64_t>(std::max(w, 0)) * static_cast<uint64_t>(std::max(h, 0));
    if (pixels > limits.max_frame_pixels) {
      return over_limit("frame size", std::to_string(w) + "x" + std::to_string(h),
                        std::to_string(limits.max_frame_pixels) + " pixels", "IMGFLO_VIDEO_MAX_FRAME_PIXELS");
    }
  }
  const uint64_t frame_pixels =
      static_cast<uint64_t>(std::max(frame_width, 0)) * static_cast<uint64_t>(std::max(frame_height, 0));
  const auto frames = static_cast<uint64_t>(std::max<int64_t>(info.frames, 0));
  if (frame_pixels > 0 && frames > limits.max_total_pixels / frame_pixels) {
    return over_limit("pixel count over all frames", std::to_string(frames) + " x " + std::to_string(frame_pixels),
                      std::to_string(limits.max_total_pixels), "IMGFLO_VIDEO_MAX_TOTAL_PIXELS");
  }
  return ok_status();
}

Status check_decoded_frame(int64_t frames, double time_s, uint64_t frame_pixels, const VideoLimits& limits) {
  if (time_s > limits.max_seconds) {
    return over_limit("duration", "over " + seconds_text(time_s), seconds_text(limits.max_seconds),
                      "IMGFLO_VIDEO_MAX_SECONDS");
  }
  if (frames > limits.max_frames) {
    return over_limit("frame count", "over " + std::to_string(limits.max_frames), std::to_string(limits.max_frames),
                      "IMGFLO_VIDEO_MAX_FRAMES");
  }
  if (frame_pixels > limits.max_frame_pixels) {
    return over_limit("frame size", std::to_string(frame_pixels) + " pixels",
                      std::to_string(limits.max_frame_pixels) + " pixels", "IMGFLO_VIDEO_MAX_FRAME_PIXELS");
  }
  if (frame_pixels > 0 && static_cast<uint64_t>(frames) > limits.max_total_pixels / frame_pixels) {
    return over_limit("pixel count over all frames", "over " + std::to_string(limits.max_total_pixels),
                      std::to_string(limits.max_total_pixels), "IMGFLO_VIDEO_MAX_TOTAL_PIXELS");
  }
  return ok_status();
}

}  // namespace imgflo::runtime::video
