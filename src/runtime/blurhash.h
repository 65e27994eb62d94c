// BlurHash encoder (the published algorithm, blurha.sh / woltapp's spec):
// a short base83 string that a client decodes into a blurred preview.
//
//   hash = size flag (1 char: (x - 1) + 9 (y - 1))
//        + quantised maximum AC value (1 char)
//        + DC (4 chars: the mean colour, sRGB 8-bit packed as R << 16 | G << 8 | B)
//        + x * y - 1 AC components (2 chars each: 19 levels per channel)
//   length = 4 + 2 x y
//
// Component (i, j) is the mean over the pixels of linear-light colour times
// cos(pi i px / width) cos(pi j py / height), doubled for AC components; the
// AC values are stored relative to the largest magnitude among them, with a
// square-root companding (sign kept).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace imgflo::runtime {

inline constexpr int kBlurHashMinComponents = 1;
inline constexpr int kBlurHashMaxComponents = 9;

// sRGB 8-bit pixels, 3 bands interleaved, rows top to bottom.
struct RgbView {
  const uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
};

// REQUIRES: image.width, image.height >= 1 and image.data holds
// width * height * 3 bytes; x and y in [1, 9].
std::string encode_blurhash(const RgbView& image, int x_components, int y_components);

// `value` as `length` base83 digits (most significant first).
std::string encode_base83(uint32_t value, int length);

// The sRGB transfer function on 8-bit levels and its inverse as the
// algorithm specifies them (linear values clamped to [0, 1], rounded half up).
double srgb_level_to_linear(int level);
int linear_to_srgb_level(double linear);

}  // namespace imgflo::runtime
