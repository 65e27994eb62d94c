#include "canvas/css_color.h"

#include "canvas/css_names.h"
#include "core/color.h"

#include "core/text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace imgflo::canvas {

namespace {

Error invalid(std::string_view text) {
  return Error(ErrorKind::kInvalidArgument, "invalid colour \"" + std::string(text) + "\"");
}

uint8_t to_byte(double v) { return static_cast<uint8_t>(std::lround(std::clamp(v, 0.0, 255.0))); }

struct Arg {
  double value;
  bool percent;
};

// The comma-separated numbers between "name(" and ")"; nullopt on bad syntax.
std::optional<std::vector<Arg>> function_args(const std::string& s, size_t open) {
  if (s.back() != ')') return std::nullopt;
  std::vector<Arg> args;
  const char* p = s.c_str() + open + 1;
  const char* end = s.c_str() + s.size() - 1;
  while (true) {
    while (p < end && std::isspace(static_cast<unsigned char>(*p))) ++p;
    char* next = nullptr;
    const double v = std::strtod(p, &next);
    if (next == p || next > end || !std::isfinite(v)) return std::nullopt;
    p = next;
    const bool percent = p < end && *p == '%';
    if (percent) ++p;
    args.push_back({v, percent});
    while (p < end && std::isspace(static_cast<unsigned char>(*p))) ++p;
    if (p == end) return args;
    if (*p++ != ',') return std::nullopt;
  }
}

double channel(const Arg& a) { return a.percent ? a.value * 255.0 / 100.0 : a.value; }
double alpha(const Arg& a) { return std::clamp(a.percent ? a.value / 100.0 : a.value, 0.0, 1.0); }

// One channel of the CSS HSL -> RGB algorithm (h in turns).
double hue_channel(double m1, double m2, double h) {
  h -= std::floor(h);
  if (h * 6 < 1) return m1 + (m2 - m1) * h * 6;
  if (h * 2 < 1) return m2;
  if (h * 3 < 2) return m1 + (m2 - m1) * (2.0 / 3.0 - h) * 6;
  return m1;
}

Rgba from_hsl(double hue_degrees, double s, double l, double a) {
  s = std::clamp(s, 0.0, 1.0);
  l = std::clamp(l, 0.0, 1.0);
  const double h = hue_degrees / 360.0;
  const double m2 = l <= 0.5 ? l * (s + 1) : l + s - l * s;
  const double m1 = l * 2 - m2;
  return Rgba{to_byte(255 * hue_channel(m1, m2, h + 1.0 / 3)), to_byte(255 * hue_channel(m1, m2, h)),
              to_byte(255 * hue_channel(m1, m2, h - 1.0 / 3)), a};
}

Result<Rgba> parse_function(const std::string& s, std::string_view text) {
  const size_t open = s.find('(');
  const std::string name = s.substr(0, open);
  const auto args = function_args(s, open);
  const size_t want = name.size() == 4 ? 4 : 3;  // rgba, hsla: with alpha
  if (!args || args->size() != want) return invalid(text);
  const auto& v = *args;
  const double a = want == 4 ? alpha(v[3]) : 1.0;
  if (name == "rgb" || name == "rgba") return Rgba{to_byte(channel(v[0])), to_byte(channel(v[1])), to_byte(channel(v[2])), a};
  if (!v[1].percent || !v[2].percent) return invalid(text);
  return from_hsl(v[0].value, v[1].value / 100.0, v[2].value / 100.0, a);
}

}  // namespace

Result<Rgba> parse_css_color(std::string_view text) {
  const std::string s = lower_trimmed(text);
  if (s.empty()) return invalid(text);
  const size_t open = s.find('(');
  if (open != std::string::npos) {
    const std::string name = s.substr(0, open);
    if (name == "rgb" || name == "rgba" || name == "hsl" || name == "hsla") return parse_function(s, text);
    return invalid(text);
  }
  if (s == "transparent") return Rgba{0, 0, 0, 0.0};
  if (auto rgb = css_named_color(s)) {
    return Rgba{static_cast<uint8_t>(*rgb >> 16), static_cast<uint8_t>((*rgb >> 8) & 0xff),
                static_cast<uint8_t>(*rgb & 0xff), 1.0};
  }
  if (s[0] != '#') return invalid(text);
  auto c = Color::parse(s);  // hex forms
  if (!c.ok()) return invalid(text);
  const auto srgb = c->srgb();
  return Rgba{to_byte(srgb[0] * 255), to_byte(srgb[1] * 255), to_byte(srgb[2] * 255), srgb[3]};
}

}  // namespace imgflo::canvas
