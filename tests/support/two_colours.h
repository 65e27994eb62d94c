// Synthetic inputs for the placeholder tests: two flat colours side by side,
// each sample moved by deterministic noise (a fixed LCG, the same bytes every
// run), so that each side is a cluster with a known extent.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace imgflo::test {

using Rgb = std::array<int, 3>;

struct TwoColours {
  int width = 0;
  int height = 0;
  int split_x = 0;           // columns [0, split_x) are `left`, the rest `right`
  std::vector<uint8_t> rgb;  // 3 bands interleaved

  // The mean sRGB colour of columns [x0, x1), as the pixels actually are.
  std::array<double, 3> mean(int x0, int x1) const {
    std::array<double, 3> sum{0, 0, 0};
    for (int y = 0; y < height; ++y) {
      for (int x = x0; x < x1; ++x) {
        for (int b = 0; b < 3; ++b) sum[b] += rgb[(static_cast<size_t>(y) * width + x) * 3 + b];
      }
    }
    for (double& s : sum) s /= static_cast<double>(height) * (x1 - x0);
    return sum;
  }
};

inline TwoColours two_colours(int width, int height, int split_x, Rgb left, Rgb right, int noise) {
  TwoColours t{width, height, split_x, {}};
  t.rgb.reserve(static_cast<size_t>(width) * height * 3);
  uint32_t state = 12345;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const Rgb& c = x < split_x ? left : right;
      for (int b = 0; b < 3; ++b) {
        state = state * 1664525u + 1013904223u;
        const int d = noise == 0 ? 0 : static_cast<int>((state >> 16) % (2 * noise + 1)) - noise;
        t.rgb.push_back(static_cast<uint8_t>(std::clamp(c[b] + d, 0, 255)));
      }
    }
  }
  return t;
}

}  // namespace imgflo::test
