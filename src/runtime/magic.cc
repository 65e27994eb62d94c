#include "runtime/magic.h"

#include <array>
#include <cstdint>

namespace imgflo::runtime {

namespace {

bool starts(std::string_view b, std::string_view magic, size_t at = 0) {
  return b.size() >= at + magic.size() && b.substr(at, magic.size()) == magic;
}

uint32_t be32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

IsoBmffImage brand_kind(std::string_view brand) {
  static constexpr std::array<std::string_view, 2> kAvif = {"avif", "avis"};
  static constexpr std::array<std::string_view, 8> kHeif = {"heic", "heix", "hevc", "hevx",
                                                            "heim", "heis", "hevm", "hevs"};
  for (auto b : kAvif) {
    if (brand == b) return IsoBmffImage::kAvif;
  }
  for (auto b : kHeif) {
    if (brand == b) return IsoBmffImage::kHeif;
  }
  return IsoBmffImage::kNone;
}

bool generic_heif_brand(std::string_view brand) { return brand == "mif1" || brand == "msf1"; }

// `s` without its leading XML whitespace.
std::string_view skip_space(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  return s.substr(i);
}

// Removes the front of `s` up to and including the first `end`; false (and `s`
// unchanged) when there is none.
bool skip_past(std::string_view& s, std::string_view end) {
  const size_t at = s.find(end);
  if (at == std::string_view::npos) return false;
  s.remove_prefix(at + end.size());
  return true;
}

// A DOCTYPE with an optional internal subset '[ ... ]' (which may hold '>').
bool skip_doctype(std::string_view& s) {
  const size_t open = s.find_first_of("[>");
  if (open == std::string_view::npos) return false;
  if (s[open] == '>') {
    s.remove_prefix(open + 1);
    return true;
  }
  s.remove_prefix(open + 1);
  if (!skip_past(s, "]")) return false;
  s = skip_space(s);
  if (!starts(s, ">")) return false;
  s.remove_prefix(1);
  return true;
}

// One prolog item (declaration, PI, comment, DOCTYPE) removed from the front
// of `s`. False when `s` does not start with one or it is unterminated.
bool skip_prolog_item(std::string_view& s) {
  if (starts(s, "<?")) return skip_past(s, "?>");
  if (starts(s, "<!--")) return skip_past(s, "-->");
  if (starts(s, "<!DOCTYPE")) return skip_doctype(s);
  return false;
}

constexpr size_t kSvgSniffWindow = 64 * 1024;

}  // namespace

bool is_jpeg(std::string_view b) { return starts(b, "\xFF\xD8\xFF"); }
bool is_png(std::string_view b) { return starts(b, "\x89PNG\r\n\x1A\n"); }
bool is_gif(std::string_view b) { return starts(b, "GIF87a") || starts(b, "GIF89a"); }
bool is_webp(std::string_view b) { return starts(b, "RIFF") && starts(b, "WEBP", 8); }

bool is_tiff(std::string_view b) {
  using namespace std::string_view_literals;
  return starts(b, "II*\0"sv) || starts(b, "MM\0*"sv) || starts(b, "II+\0"sv) || starts(b, "MM\0+"sv);
}

bool is_jxl(std::string_view b) {
  using namespace std::string_view_literals;
  return starts(b, "\xFF\x0A"sv) || starts(b, "\0\0\0\x0CJXL \r\n\x87\n"sv);
}

IsoBmffImage isobmff_image(std::string_view b) {
  if (b.size() < 16 || !starts(b, "ftyp", 4)) return IsoBmffImage::kNone;
  const uint32_t size = be32(b, 0);
  if (size < 16 || size > 4096 || size % 4 != 0 || size > b.size()) return IsoBmffImage::kNone;
  if (auto kind = brand_kind(b.substr(8, 4)); kind != IsoBmffImage::kNone) return kind;
  bool generic = generic_heif_brand(b.substr(8, 4));
  for (size_t at = 16; at + 4 <= size; at += 4) {
    const std::string_view brand = b.substr(at, 4);
    if (auto kind = brand_kind(brand); kind != IsoBmffImage::kNone) return kind;
    generic = generic || generic_heif_brand(brand);
  }
  return generic ? IsoBmffImage::kHeif : IsoBmffImage::kNone;
}

bool is_svg(std::string_view b) {
  std::string_view s = b.substr(0, kSvgSniffWindow);
  if (starts(s, "\xEF\xBB\xBF")) s.remove_prefix(3);
  for (s = skip_space(s); starts(s, "<?") || starts(s, "<!"); s = skip_space(s)) {
    if (!skip_prolog_item(s)) return false;
  }
  if (!starts(s, "<svg") || s.size() < 5) return false;
  const char next = s[4];
  return next == ' ' || next == '\t' || next == '\r' || next == '\n' || next == '>' || next == '/';
}

}  // namespace imgflo::runtime
