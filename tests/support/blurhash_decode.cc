#include "support/blurhash_decode.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string_view>

namespace imgflo::test {

namespace {

int base83(std::string_view s) {
  static const std::string_view digits =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";
  int value = 0;
  for (char c : s) {
    const size_t d = digits.find(c);
    if (d == std::string_view::npos) throw std::runtime_error("not base83: " + std::string(s));
    value = value * 83 + static_cast<int>(d);
  }
  return value;
}

double signed_square(double v) { return std::copysign(v * v, v); }

}  // namespace

double test_srgb_to_linear(double level) {
  const double v = level / 255.0;
  return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

double test_linear_to_srgb(double linear) {
  const double v = std::clamp(linear, 0.0, 1.0);
  return 255.0 * (v <= 0.0031308 ? v * 12.92 : 1.055 * std::pow(v, 1 / 2.4) - 0.055);
}

BlurHashComponents blurhash_components(const std::string& hash) {
  if (hash.size() < 6) throw std::runtime_error("blurhash too short: " + hash);
  const int flag = base83(hash.substr(0, 1));
  const BlurHashComponents c{flag % 9 + 1, flag / 9 + 1};
  if (hash.size() != static_cast<size_t>(4 + 2 * c.x * c.y)) throw std::runtime_error("blurhash length: " + hash);
  return c;
}

std::vector<uint8_t> decode_blurhash(const std::string& hash, int width, int height) {
  const BlurHashComponents n = blurhash_components(hash);
  const double max_ac = (base83(hash.substr(1, 1)) + 1) / 166.0;
  std::vector<double> colours;  // linear r, g, b per component, row-major by (j, i)
  const int dc = base83(hash.substr(2, 4));
  for (int shift : {16, 8, 0}) colours.push_back(test_srgb_to_linear((dc >> shift) & 255));
  for (int k = 1; k < n.x * n.y; ++k) {
    const int v = base83(hash.substr(4 + 2 * static_cast<size_t>(k), 2));
    for (int q : {v / (19 * 19), (v / 19) % 19, v % 19}) colours.push_back(signed_square((q - 9) / 9.0) * max_ac);
  }
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(width) * height * 3);
  for (int py = 0; py < height; ++py) {
    for (int px = 0; px < width; ++px) {
      double rgb[3] = {0, 0, 0};
      for (int j = 0; j < n.y; ++j) {
        for (int i = 0; i < n.x; ++i) {
          const double basis = std::cos(std::numbers::pi * i * px / width) * std::cos(std::numbers::pi * j * py / height);
          for (int b = 0; b < 3; ++b) rgb[b] += colours[static_cast<size_t>(3 * (j * n.x + i) + b)] * basis;
        }
      }
      for (double v : rgb) out.push_back(static_cast<uint8_t>(std::lround(test_linear_to_srgb(v))));
    }
  }
  return out;
}

}  // namespace imgflo::test
