#include "runtime/webp_container.h"

#include <cstdint>
#include <vector>

namespace imgflo::runtime {

namespace {

constexpr size_t kHeader = 12;  // "RIFF" size "WEBP"
constexpr uint8_t kExifFlag = 0x08;
constexpr uint8_t kXmpFlag = 0x04;

uint32_t read_u32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(s[at])) | static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3])) << 24;
}

void write_u32(std::string& s, size_t at, uint32_t v) {
  for (int k = 0; k < 4; ++k) s[at + static_cast<size_t>(k)] = static_cast<char>((v >> (8 * k)) & 0xff);
}

struct Chunk {
  std::string_view fourcc;
  std::string_view whole;  // header, payload and padding
};

// The chunks after the header, or nothing when one overruns the file.
std::vector<Chunk> chunks(std::string_view webp) {
  std::vector<Chunk> out;
  size_t at = kHeader;
  while (at + 8 <= webp.size()) {
    const uint64_t size = read_u32(webp, at + 4);
    const uint64_t whole = 8 + size + (size & 1);
    if (at + whole > webp.size()) return {};
    out.push_back({webp.substr(at, 4), webp.substr(at, static_cast<size_t>(whole))});
    at += static_cast<size_t>(whole);
  }
  return at == webp.size() ? out : std::vector<Chunk>{};
}

}  // namespace

std::string strip_webp_metadata(std::string_view webp) {
  if (webp.size() < kHeader || webp.substr(0, 4) != "RIFF" || webp.substr(8, 4) != "WEBP") return std::string(webp);
  const std::vector<Chunk> all = chunks(webp);
  if (all.empty() || all.front().fourcc != "VP8X" || all.front().whole.size() < 9) return std::string(webp);
  std::vector<Chunk> kept;
  for (const Chunk& c : all) {
    if (c.fourcc != "EXIF" && c.fourcc != "XMP ") kept.push_back(c);
  }
  std::string body;
  const auto flags = static_cast<uint8_t>(static_cast<uint8_t>(all.front().whole[8]) & ~(kExifFlag | kXmpFlag));
  const bool simple = flags == 0 && kept.size() == 2 && (kept[1].fourcc == "VP8 " || kept[1].fourcc == "VP8L");
  for (size_t k = simple ? 1 : 0; k < kept.size(); ++k) body += kept[k].whole;
  if (!simple) body[8] = static_cast<char>(flags);
  std::string out = "RIFF0000WEBP" + body;
  write_u32(out, 4, static_cast<uint32_t>(out.size() - 8));
  return out;
}

}  // namespace imgflo::runtime
