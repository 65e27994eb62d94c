#include "runtime/cie_lch.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace imgflo::runtime {

namespace {

using Matrix = std::array<float, 9>;  // row-major

// babl's sRGB matrices (double precision as babl derives them).
constexpr std::array<double, 9> kRgbToXyz = {
    0.43603484420621758, 0.38511665362682912, 0.1430513718061043,    //
    0.22248794002686589, 0.71690383887925313, 0.060608257216285655,  //
    0.01391588474914934, 0.09706050659327542, 0.71392895471389517,
};
constexpr std::array<double, 9> kXyzToRgb = {
    3.1342756827323122,    -1.6172766464441777, -0.49072406258713697,  //
    -0.97879361484878924,  1.9161604978562157,  0.033452377634677108,  //
    0.071976328450098159, -0.22898311118653589, 1.4057168408035894,
};
constexpr float kWhite[3] = {0.964202880f, 1.0f, 0.824905400f};  // ICC D50
constexpr float kEpsilon = 216.0f / 24389.0f;
constexpr float kKappa = 24389.0f / 27.0f;
constexpr double kDegreesPerRadian = 180 / 3.14159265358979323846;
constexpr double kRadiansPerDegree = 1 / kDegreesPerRadian;

// RGB -> (X/Xw, Y/Yw, Z/Zw): each float matrix entry divided by its row's white.
const Matrix& rgb_to_xyz_relative() {
  static const Matrix m = [] {
    Matrix out{};
    for (int i = 0; i < 9; ++i) out[i] = static_cast<float>(kRgbToXyz[i]) / kWhite[i / 3];
    return out;
  }();
  return m;
}

// (X/Xw, Y/Yw, Z/Zw) -> RGB: each float matrix entry times its column's white.
const Matrix& xyz_relative_to_rgb() {
  static const Matrix m = [] {
    Matrix out{};
    for (int i = 0; i < 9; ++i) out[i] = static_cast<float>(kXyzToRgb[i]) * kWhite[i % 3];
    return out;
  }();
  return m;
}

float dot_row(const Matrix& m, int row, float a, float b, float c) {
  return std::fma(m[row * 3 + 2], c, std::fma(m[row * 3 + 1], b, m[row * 3] * a));
}

// Cube root: a first guess from the float's bit pattern divided by 3, then
// two Halley iterations a <- a (a^3 + 2x) / (2a^3 + x).
float cube_root(float x) {
  int32_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  const float third = static_cast<float>(bits) / 3.0f;
  const int32_t guess_bits = static_cast<int32_t>(std::nearbyint(third)) + 709921077;
  float a = 0;
  std::memcpy(&a, &guess_bits, sizeof a);
  for (int i = 0; i < 2; ++i) {
    const float a3 = a * a * a;
    a = a * (a3 + (x + x)) / ((a3 + a3) + x);
  }
  return a;
}

float lab_f(float t) { return t > kEpsilon ? cube_root(t) : std::fma(kKappa, t, 16.0f) / 116.0f; }

float cube(float v) { return v * v * v; }

float lab_f_inverse(float f) {
  const float f3 = cube(f);
  return f3 > kEpsilon ? f3 : std::fma(f, 116.0f, -16.0f) / kKappa;
}

}  // namespace

Lch lch_from_linear_rgb(float r, float g, float b) {
  const Matrix& m = rgb_to_xyz_relative();
  const float fx = lab_f(dot_row(m, 0, r, g, b));
  const float fy = lab_f(dot_row(m, 1, r, g, b));
  const float fz = lab_f(dot_row(m, 2, r, g, b));
  const float lab_a = 500.0f * (fx - fy);
  const float lab_b = 200.0f * (fy - fz);
  Lch out;
  out.l = std::fma(116.0f, fy, -16.0f);
  out.c = std::sqrt(std::fma(lab_a, lab_a, lab_b * lab_b));
  out.h = static_cast<float>(std::atan2(lab_b, lab_a) * kDegreesPerRadian);
  if (out.h < 0.0f) out.h += 360.0f;
  return out;
}

void linear_rgb_from_lch(const Lch& lch, float rgb[3]) {
  const double radians = lch.h * kRadiansPerDegree;
  const float lab_a = lch.c * std::cos(static_cast<float>(radians));
  const float lab_b = lch.c * std::sin(static_cast<float>(radians));
  const float fy = (lch.l + 16.0f) / 116.0f;
  const float fx = fy + lab_a / 500.0f;
  const float fz = fy - lab_b / 200.0f;
  const float yr = lch.l > kKappa * kEpsilon ? cube(fy) : lch.l / kKappa;
  const float xr = lab_f_inverse(fx);
  const float zr = lab_f_inverse(fz);
  const Matrix& m = xyz_relative_to_rgb();
  for (int i = 0; i < 3; ++i) rgb[i] = dot_row(m, i, xr, yr, zr);
}

}  // namespace imgflo::runtime
