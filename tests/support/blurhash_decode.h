// A BlurHash decoder for tests, written from the published algorithm
// (woltapp/blurhash's spec), independently of the service's encoder
// (runtime/blurhash.h), so that a wrong encoder cannot agree with itself:
// size flag -> x, y; quantised max AC -> scale; DC -> sRGB colour; each AC
// -> sign(q) q^2 * scale with q = (level - 9) / 9; pixel (px, py) of a w x h
// image = sum of colour(i, j) cos(pi i px / w) cos(pi j py / h) in linear
// light, then sRGB.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace imgflo::test {

struct BlurHashComponents {
  int x = 0;
  int y = 0;
};

// Throws std::runtime_error for a hash that is not well formed (bad length,
// character outside base83).
BlurHashComponents blurhash_components(const std::string& hash);

// w x h sRGB 8-bit pixels, 3 bands interleaved.
std::vector<uint8_t> decode_blurhash(const std::string& hash, int width, int height);

// The sRGB curve, 8-bit level <-> linear (for tests that average in linear light).
double test_srgb_to_linear(double level);
double test_linear_to_srgb(double linear);

}  // namespace imgflo::test
