#include "runtime/blurhash.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace imgflo::runtime {

namespace {

constexpr std::string_view kBase83 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

struct Factor {
  double r = 0, g = 0, b = 0;
};

// cos(pi k p / n) for p in [0, n): one basis along one axis.
std::vector<double> basis(int k, int n) {
  std::vector<double> out(static_cast<size_t>(n));
  for (int p = 0; p < n; ++p) out[static_cast<size_t>(p)] = std::cos(std::numbers::pi * k * p / n);
  return out;
}

// Every component, row-major by (j, i), from a linear-light copy of the pixels.
std::vector<Factor> components(const std::vector<double>& linear, int width, int height, int nx, int ny) {
  std::vector<Factor> out;
  out.reserve(static_cast<size_t>(nx * ny));
  for (int j = 0; j < ny; ++j) {
    const std::vector<double> by = basis(j, height);
    for (int i = 0; i < nx; ++i) {
      const std::vector<double> bx = basis(i, width);
      Factor f;
      for (int y = 0; y < height; ++y) {
        const double* row = &linear[static_cast<size_t>(y) * width * 3];
        for (int x = 0; x < width; ++x) {
          const double w = bx[static_cast<size_t>(x)] * by[static_cast<size_t>(y)];
          f.r += w * row[3 * x];
          f.g += w * row[3 * x + 1];
          f.b += w * row[3 * x + 2];
        }
      }
      const double scale = (i == 0 && j == 0 ? 1.0 : 2.0) / (static_cast<double>(width) * height);
      out.push_back({f.r * scale, f.g * scale, f.b * scale});
    }
  }
  return out;
}

uint32_t encode_dc(const Factor& f) {
  return (static_cast<uint32_t>(linear_to_srgb_level(f.r)) << 16) |
         (static_cast<uint32_t>(linear_to_srgb_level(f.g)) << 8) | static_cast<uint32_t>(linear_to_srgb_level(f.b));
}

// One AC channel in 0..18: sign-preserving square root of value / max.
uint32_t quantise_ac(double v, double max) {
  const double q = std::copysign(std::sqrt(std::abs(v / max)), v) * 9 + 9.5;
  return static_cast<uint32_t>(std::clamp(std::floor(q), 0.0, 18.0));
}

}  // namespace

double srgb_level_to_linear(int level) {
  const double v = level / 255.0;
  return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

int linear_to_srgb_level(double linear) {
  const double v = std::clamp(linear, 0.0, 1.0);
  const double s = v <= 0.0031308 ? v * 12.92 : 1.055 * std::pow(v, 1 / 2.4) - 0.055;
  return static_cast<int>(s * 255 + 0.5);
}

std::string encode_base83(uint32_t value, int length) {
  std::string out(static_cast<size_t>(length), '0');
  for (int i = length - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kBase83[value % 83];
    value /= 83;
  }
  return out;
}

std::string encode_blurhash(const RgbView& image, int nx, int ny) {
  const size_t samples = static_cast<size_t>(image.width) * image.height * 3;
  std::vector<double> linear(samples);
  for (size_t k = 0; k < samples; ++k) linear[k] = srgb_level_to_linear(image.data[k]);
  const std::vector<Factor> f = components(linear, image.width, image.height, nx, ny);

  std::string hash = encode_base83(static_cast<uint32_t>((nx - 1) + (ny - 1) * 9), 1);
  double max_ac = 0;
  for (size_t k = 1; k < f.size(); ++k) max_ac = std::max({max_ac, std::abs(f[k].r), std::abs(f[k].g), std::abs(f[k].b)});
  double max_value = 1;
  if (f.size() > 1) {
    const auto quantised = static_cast<uint32_t>(std::clamp(std::floor(max_ac * 166 - 0.5), 0.0, 82.0));
    max_value = (quantised + 1) / 166.0;
    hash += encode_base83(quantised, 1);
  } else {
    hash += encode_base83(0, 1);
  }
  hash += encode_base83(encode_dc(f[0]), 4);
  for (size_t k = 1; k < f.size(); ++k) {
    const uint32_t v = quantise_ac(f[k].r, max_value) * 19 * 19 + quantise_ac(f[k].g, max_value) * 19 +
                       quantise_ac(f[k].b, max_value);
    hash += encode_base83(v, 2);
  }
  return hash;
}

}  // namespace imgflo::runtime
