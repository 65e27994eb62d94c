#include "runtime/orientation.h"

#include <cstdint>

namespace imgflo::runtime {

namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTypeShort = 3;
constexpr size_t kEntrySize = 12;

// Bounds-checked reads from a TIFF structure in either byte order.
class TiffReader {
 public:
  TiffReader(std::string_view bytes, bool little_endian) : b_(bytes), le_(little_endian) {}

  bool has(size_t at, size_t n) const { return at <= b_.size() && n <= b_.size() - at; }

  uint16_t u16(size_t at) const {
    const auto b0 = static_cast<uint8_t>(b_[at]), b1 = static_cast<uint8_t>(b_[at + 1]);
    return static_cast<uint16_t>(le_ ? (b1 << 8) | b0 : (b0 << 8) | b1);
  }

  uint32_t u32(size_t at) const {
    const uint32_t hi = u16(at), lo = u16(at + 2);
    return le_ ? (lo << 16) | hi : (hi << 16) | lo;
  }

 private:
  std::string_view b_;
  bool le_;
};

bool valid(int orientation) { return orientation >= 1 && orientation <= 8; }

}  // namespace

int exif_orientation(std::string_view exif) {
  if (exif.substr(0, 6) == std::string_view("Exif\0\0", 6)) exif.remove_prefix(6);
  if (exif.size() < 8) return 1;
  const std::string_view order = exif.substr(0, 2);
  if (order != "II" && order != "MM") return 1;
  const TiffReader r(exif, order == "II");
  if (r.u16(2) != 42) return 1;
  const size_t ifd = r.u32(4);
  if (!r.has(ifd, 2)) return 1;
  const size_t count = r.u16(ifd);
  for (size_t i = 0; i < count; ++i) {
    const size_t entry = ifd + 2 + i * kEntrySize;
    if (!r.has(entry, kEntrySize)) return 1;
    if (r.u16(entry) != kOrientationTag) continue;
    if (r.u16(entry + 2) != kTypeShort || r.u32(entry + 4) != 1) return 1;
    const int value = r.u16(entry + 8);
    return valid(value) ? value : 1;
  }
  return 1;
}

int image_orientation(const vips::VImage& image) {
  if (image.get_typeof(VIPS_META_ORIENTATION) != G_TYPE_INT) return 1;
  const int value = image.get_int(VIPS_META_ORIENTATION);
  return valid(value) ? value : 1;
}

bool swaps_axes(int orientation) { return orientation >= 5 && orientation <= 8; }

bool reorders_rows(int orientation) { return orientation >= 3 && orientation <= 8; }

vips::VImage apply_orientation(const vips::VImage& image, int orientation) {
  if (!valid(orientation) || orientation == 1) return image;
  VipsAngle angle = VIPS_ANGLE_D0;
  switch (orientation) {
    case 3:
    case 4: angle = VIPS_ANGLE_D180; break;
    case 5:
    case 6: angle = VIPS_ANGLE_D90; break;
    case 7:
    case 8: angle = VIPS_ANGLE_D270; break;
    default: break;
  }
  const bool mirror = orientation == 2 || orientation == 4 || orientation == 5 || orientation == 7;
  vips::VImage out = angle == VIPS_ANGLE_D0 ? image : image.rot(angle);
  if (mirror) out = out.fliphor();
  out = out.copy();  // private metadata: do not touch the input's
  out.remove(VIPS_META_ORIENTATION);
  return out;
}

}  // namespace imgflo::runtime
