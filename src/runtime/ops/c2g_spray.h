// gegl/c2g's spray walk and per-pixel arithmetic (the op: runtime/ops/c2g.cc;
// the tile kernels: runtime/ops/c2g_kernel.h).
//
// Pixel (x, y) of a width-W image starts its walk at table position
// (y * W + x) * iterations * samples; every spray point advances both table
// indices by one (the angle table and the radius table have prime sizes, so
// pairs repeat rarely). A spray point's offsets are, in float,
//   r = radius_table[j] * radius,  dx = r * cos_table[i],  dy = r * sin_table[i],
// and the sprayed pixel is (int(float(x) + dx), int(float(y) + dy)) (C++
// truncation toward zero). Every kernel must keep this arithmetic exactly: the
// output is cached by the server and must not change between versions.
//
// Thread-safety: the tables are built once (thread-safe static) and read-only.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace imgflo::runtime::ops::c2g {

inline constexpr int kAnglePrime = 95273;   // table sizes are primes, as GEGL's, so
inline constexpr int kRadiusPrime = 29537;  // angle/radius pairs repeat rarely
// A sample is abandoned after this many spray points outside the image
// (GEGL retries without limit; tiny images with huge radii would spin).
inline constexpr int kMaxOutsideTries = 4 * kRadiusPrime;

struct SprayTables {
  std::vector<float> cos, sin;  // kAnglePrime entries: the golden-angle walk
  std::vector<float> radius;    // kRadiusPrime entries: u^2, u uniform in [0, 1) from a fixed seed
};

// The tables (built on first use).
const SprayTables& spray_tables();

struct Params {
  int radius, samples, iterations;
};

// The first table position of pixel (x, y) of a `width`-wide image.
inline uint64_t spray_start(int x, int y, int width, const Params& p) {
  return (static_cast<uint64_t>(y) * static_cast<uint64_t>(width) + static_cast<uint64_t>(x)) *
         static_cast<uint64_t>(p.iterations) * static_cast<uint64_t>(p.samples);
}

// Walks the spray tables from a pixel's own starting position.
class Spray {
 public:
  explicit Spray(uint64_t start)
      : t_(spray_tables()), angle_(static_cast<uint32_t>(start % kAnglePrime)),
        radius_(static_cast<uint32_t>(start % kRadiusPrime)) {}

  // The next sprayed pixel around (xf, yf) = (float(x), float(y)) for `radius`.
  void next(float xf, float yf, float radius, int& u, int& v) {
    const float r = t_.radius[radius_] * radius;
    u = static_cast<int>(xf + r * t_.cos[angle_]);
    v = static_cast<int>(yf + r * t_.sin[angle_]);
    if (++angle_ == kAnglePrime) angle_ = 0;
    if (++radius_ == kRadiusPrime) radius_ = 0;
  }

 private:
  const SprayTables& t_;
  uint32_t angle_, radius_;
};

// std::fmin / std::fmax (glibc's: a < b ? a : b for numbers, a NaN argument
// ignored), inline for numbers; NaNs take the library call so even their bits agree.
inline float fmin_exact(float a, float b) {
  if (a == a && b == b) [[likely]] return a < b ? a : b;
  return std::fmin(a, b);
}
inline float fmax_exact(float a, float b) {
  if (a == a && b == b) [[likely]] return a > b ? a : b;
  return std::fmax(a, b);
}

// Running sums over the iterations of one pixel.
struct Envelopes {
  float brightness_sum[3] = {0, 0, 0}, range_sum[3] = {0, 0, 0};

  // Adds one iteration whose sprayed minimum and maximum (the pixel included) are lo and hi.
  void add(const float pixel[3], const float lo[3], const float hi[3]) {
    for (int c = 0; c < 3; ++c) {
      const float range = hi[c] - lo[c];
      brightness_sum[c] += range > 0.0f ? (pixel[c] - lo[c]) / range : 0.5f;
      range_sum[c] += range;
    }
  }

  // The grey value: distance to the mean minimum envelope over the sum of the
  // distances to both mean envelopes (0.5 when both are 0).
  float grey(const float pixel[3], int iterations) const;
};

}  // namespace imgflo::runtime::ops::c2g
