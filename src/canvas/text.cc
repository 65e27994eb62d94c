#include "canvas/text.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace imgflo::canvas {

namespace {

// Length of a UTF-8 sequence from its lead byte (0 for an invalid lead).
int sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 0;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_high(uint16_t u) { return u >= 0xD800 && u <= 0xDBFF; }
bool is_low(uint16_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

}  // namespace

std::vector<uint16_t> utf16_units(std::string_view utf8) {
  std::vector<uint16_t> out;
  size_t i = 0;
  while (i < utf8.size()) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const int len = sequence_length(lead);
    bool valid = len > 0 && i + len <= utf8.size();
    uint32_t cp = lead & (0x7F >> (len > 1 ? len : 0));
    for (int k = 1; valid && k < len; ++k) {
      const auto c = static_cast<unsigned char>(utf8[i + k]);
      valid = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!valid || cp > 0x10FFFF) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<uint16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<uint16_t>(cp));
    }
    i += len;
  }
  return out;
}

std::string utf8_from_units(const std::vector<uint16_t>& units) {
  std::string out;
  for (size_t i = 0; i < units.size(); ++i) {
    const uint16_t u = units[i];
    if (is_high(u) && i + 1 < units.size() && is_low(units[i + 1])) {
      append_utf8(out, 0x10000 + ((u - 0xD800u) << 10) + (units[i + 1] - 0xDC00u));
      ++i;
    } else {
      append_utf8(out, is_high(u) || is_low(u) ? 0xFFFD : u);
    }
  }
  return out;
}

std::string js_substr(std::string_view utf8, double start, const double* length) {
  const std::vector<uint16_t> units = utf16_units(utf8);
  const double size = static_cast<double>(units.size());
  double from = std::isnan(start) ? 0 : std::trunc(start);
  if (from < 0) from = std::max(size + from, 0.0);
  from = std::min(from, size);
  double count = size - from;
  if (length) count = std::isnan(*length) ? 0 : std::clamp(std::trunc(*length), 0.0, size - from);
  const auto b = units.begin() + static_cast<std::ptrdiff_t>(from);
  return utf8_from_units(std::vector<uint16_t>(b, b + static_cast<std::ptrdiff_t>(count)));
}

std::string js_number_string(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

}  // namespace imgflo::canvas
