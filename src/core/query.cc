#include "core/query.h"

namespace imgflo {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (c == '+' && plus_is_space) ? ' ' : c;
  }
  return out;
}

std::optional<std::string> percent_decode_strict(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

QueryPairs parse_query(std::string_view query) {
  QueryPairs pairs;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view part = query.substr(start, end - start);
    if (!part.empty()) {
      const size_t eq = part.find('=');
      if (eq == std::string_view::npos) {
        pairs.emplace_back(percent_decode(part), "");
      } else {
        pairs.emplace_back(percent_decode(part.substr(0, eq)), percent_decode(part.substr(eq + 1)));
      }
    }
    start = end + 1;
  }
  return pairs;
}

namespace {

// `s` with every byte `keep` refuses as %XX.
template <typename Keep>
std::string encode_bytes(std::string_view s, Keep keep) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (keep(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// `s` with each ill-formed UTF-8 sequence replaced by U+FFFD the way the
// WHATWG decoder (Node's Buffer and argv) does it: one per maximal subpart.
std::string whatwg_utf8(std::string_view s) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t needed = 0;
    unsigned char lower = 0x80, upper = 0xBF;
    if (b <= 0x7F) {
      out += static_cast<char>(b);
      ++i;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF) needed = 1;
    if (b >= 0xE0 && b <= 0xEF) needed = 2, lower = b == 0xE0 ? 0xA0 : 0x80, upper = b == 0xED ? 0x9F : 0xBF;
    if (b >= 0xF0 && b <= 0xF4) needed = 3, lower = b == 0xF0 ? 0x90 : 0x80, upper = b == 0xF4 ? 0x8F : 0xBF;
    size_t seen = 0;
    while (needed > 0 && seen < needed && i + 1 + seen < s.size()) {
      const auto c = static_cast<unsigned char>(s[i + 1 + seen]);
      if (c < lower || c > upper) break;
      lower = 0x80, upper = 0xBF;
      ++seen;
    }
    if (needed > 0 && seen == needed) {
      out.append(s.substr(i, needed + 1));
    } else {
      out += kReplacement;  // the lead byte and the continuation bytes that fit it
    }
    i += 1 + seen;
  }
  return out;
}

bool alphanumeric(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

std::string percent_encode(std::string_view s) {
  return encode_bytes(s, [](unsigned char c) { return alphanumeric(c) || c == '-' || c == '_' || c == '.' || c == '~'; });
}

std::string encode_uri_component(std::string_view s) {
  static constexpr std::string_view kMarks = "-_.!~*'()";
  return encode_bytes(whatwg_utf8(s), [](unsigned char c) {
    return alphanumeric(c) || kMarks.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

}  // namespace imgflo
