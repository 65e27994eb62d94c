#include "core/color.h"

#include "core/text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace imgflo {

double srgb_to_linear(double v) {
  return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

double linear_to_srgb(double v) {
  return v <= 0.0031308 ? v * 12.92 : 1.055 * std::pow(v, 1.0 / 2.4) - 0.055;
}

namespace {

struct NamedColor {
  const char* name;
  unsigned rgb;  // 0xRRGGBB, sRGB-encoded
};

// CSS 1 / HTML 4 basic colour keywords.
constexpr NamedColor kNamed[] = {
    {"black", 0x000000}, {"silver", 0xc0c0c0}, {"gray", 0x808080},   {"white", 0xffffff},
    {"maroon", 0x800000}, {"red", 0xff0000},    {"purple", 0x800080}, {"fuchsia", 0xff00ff},
    {"green", 0x008000}, {"lime", 0x00ff00},   {"olive", 0x808000},  {"yellow", 0xffff00},
    {"navy", 0x000080},  {"blue", 0x0000ff},   {"teal", 0x008080},   {"aqua", 0x00ffff},
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Result<Color> parse_hex(const std::string& s, std::string_view original) {
  const std::string digits = s.substr(1);
  std::vector<int> v;
  for (char c : digits) {
    const int d = hex_digit(c);
    if (d < 0) return Error(ErrorKind::kInvalidArgument, "invalid colour \"" + std::string(original) + "\"");
    v.push_back(d);
  }
  double ch[4] = {0, 0, 0, 1};
  if (v.size() == 3 || v.size() == 4) {
    for (size_t i = 0; i < v.size(); ++i) ch[i] = (v[i] * 17) / 255.0;
  } else if (v.size() == 6 || v.size() == 8) {
    for (size_t i = 0; i < v.size() / 2; ++i) ch[i] = (v[2 * i] * 16 + v[2 * i + 1]) / 255.0;
  } else {
    return Error(ErrorKind::kInvalidArgument, "invalid colour \"" + std::string(original) + "\"");
  }
  return Color::from_srgb(ch[0], ch[1], ch[2], ch[3]);
}

// "rgb(r, g, b)" / "rgba(r, g, b, a)": linear-light floats.
Result<Color> parse_function(const std::string& s, std::string_view original) {
  const bool with_alpha = s.rfind("rgba(", 0) == 0;
  const size_t open = s.find('(');
  const size_t close = s.rfind(')');
  Error bad(ErrorKind::kInvalidArgument, "invalid colour \"" + std::string(original) + "\"");
  if (close == std::string::npos || close < open) return bad;
  std::vector<double> values;
  const char* p = s.c_str() + open + 1;
  const char* end = s.c_str() + close;
  while (p < end) {
    char* next = nullptr;
    const double v = std::strtod(p, &next);
    if (next == p) return bad;
    values.push_back(v);
    p = next;
    while (p < end && (std::isspace(static_cast<unsigned char>(*p)) || *p == ',')) ++p;
  }
  if (values.size() != (with_alpha ? 4u : 3u)) return bad;
  return Color{values[0], values[1], values[2], with_alpha ? values[3] : 1.0};
}

}  // namespace

Color Color::from_srgb(double r, double g, double b, double a) {
  return Color{srgb_to_linear(r), srgb_to_linear(g), srgb_to_linear(b), a};
}

Result<Color> Color::parse(std::string_view text) {
  const std::string s = lower_trimmed(text);
  if (!s.empty() && s[0] == '#') return parse_hex(s, text);
  if (s.rfind("rgb(", 0) == 0 || s.rfind("rgba(", 0) == 0) return parse_function(s, text);
  if (s == "none") return Color{0, 0, 0, 0};
  for (const auto& named : kNamed) {
    if (s == named.name) {
      return from_srgb(((named.rgb >> 16) & 0xff) / 255.0, ((named.rgb >> 8) & 0xff) / 255.0,
                       (named.rgb & 0xff) / 255.0);
    }
  }
  return Error(ErrorKind::kInvalidArgument, "invalid colour \"" + std::string(text) + "\"");
}

std::array<double, 4> Color::srgb() const {
  return {linear_to_srgb(r), linear_to_srgb(g), linear_to_srgb(b), a};
}

std::string Color::to_hex() const {
  const auto c = srgb();
  auto byte = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); };
  char buf[10];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x%02x", byte(c[0]), byte(c[1]), byte(c[2]), byte(c[3]));
  return buf;
}

}  // namespace imgflo
