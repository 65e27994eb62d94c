#include "core/text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace imgflo {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return ascii_lower(s);
}

namespace {

// Length of the well-formed UTF-8 sequence at the start of `s`, or 0.
size_t utf8_sequence(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = byte(0);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < n || byte(1) < lo || byte(1) > hi) return 0;
  for (size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

size_t first_invalid_utf8(std::string_view s) {
  size_t at = 0;
  while (at < s.size()) {
    const size_t n = utf8_sequence(s.substr(at));
    if (n == 0) return at;
    at += n;
  }
  return std::string_view::npos;
}

bool is_valid_utf8(std::string_view s) { return first_invalid_utf8(s) == std::string_view::npos; }

std::string valid_utf8(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  while (!s.empty()) {
    const size_t n = utf8_sequence(s);
    if (n > 0) {
      out.append(s.substr(0, n));
      s.remove_prefix(n);
      continue;
    }
    out += "\xEF\xBF\xBD";  // U+FFFD
    s.remove_prefix(1);
    // Skip the continuation bytes of the same broken sequence.
    while (!s.empty() && (static_cast<unsigned char>(s[0]) & 0xC0) == 0x80) s.remove_prefix(1);
  }
  return out;
}

double js_number(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.empty()) return 0;
  const std::string str(s);
  if (str.size() > 2 && str[0] == '0' && (str[1] == 'x' || str[1] == 'X')) {
    for (size_t i = 2; i < str.size(); ++i) {
      if (!std::isxdigit(static_cast<unsigned char>(str[i]))) return NAN;
    }
    return static_cast<double>(std::strtoull(str.c_str() + 2, nullptr, 16));
  }
  if (str == "Infinity" || str == "+Infinity") return INFINITY;
  if (str == "-Infinity") return -INFINITY;
  for (char c : str) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
      return NAN;
    }
  }
  char* end = nullptr;
  const double v = std::strtod(str.c_str(), &end);
  return *end == '\0' ? v : NAN;
}

RequestedSide read_requested_side(std::string_view text) {
  const double v = js_number(text);
  if (std::isnan(v)) return {RequestedSide::kNotANumber, 0};
  const double whole = std::trunc(v);
  if (!(whole >= 1)) return {RequestedSide::kFree, 0};
  return {RequestedSide::kPixels, static_cast<int>(std::min(whole, static_cast<double>(kMaxRequestedSide)))};
}

bool acyclic(size_t count, const std::function<std::vector<int>(int)>& sources) {
  enum { kWhite, kGrey, kBlack };
  std::vector<int> colour(count, kWhite);
  std::function<bool(int)> visit = [&](int n) {
    colour[n] = kGrey;
    for (int s : sources(n)) {
      if (s < 0) continue;
      if (colour[s] == kGrey) return false;
      if (colour[s] == kWhite && !visit(s)) return false;
    }
    colour[n] = kBlack;
    return true;
  };
  for (size_t i = 0; i < count; ++i) {
    if (colour[i] == kWhite && !visit(static_cast<int>(i))) return false;
  }
  return true;
}

}  // namespace imgflo
