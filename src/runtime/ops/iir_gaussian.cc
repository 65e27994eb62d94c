#include "runtime/ops/iir_gaussian.h"

#include <algorithm>
#include <cmath>

namespace imgflo::runtime::ops::blur {

namespace {

constexpr float kFloatEpsilon = 1e-5f;  // GEGL_FLOAT_EPSILON

// Young & van Vliet (1995), eq. 11b: q from sigma.
double yvv_q(float sigma) {
  const double s = sigma;
  return s >= 2.5 ? 0.98711 * s - 0.96330 : 3.97156 - 4.14554 * std::sqrt(1.0 - 0.26891 * s);
}

double gaussian(float x, float sigma) {
  const double s = sigma;
  return 1.0 / (s * std::sqrt(2.0 * M_PI)) * std::exp(-(double(x) * x) / (2.0 * s * s));
}

}  // namespace

Filter resolve_filter(Filter requested, float sigma) {
  if (requested != Filter::kAuto) return requested;
  return sigma < 1.0f ? Filter::kFir : Filter::kIir;
}

int fir_length(float sigma) {
  if (!(sigma > kFloatEpsilon)) return 1;
  const int len = static_cast<int>(std::ceil(sigma * 6.5));
  return len % 2 == 0 ? len + 1 : len;
}

std::vector<float> fir_kernel(float sigma) {
  const int len = fir_length(sigma);
  std::vector<float> k(len, 1.0f);
  if (len == 1) return k;
  double sum = 0;
  for (int i = 0; i < len; ++i) {
    k[i] = static_cast<float>(gaussian(static_cast<float>(i - len / 2), sigma));
    sum += k[i];
  }
  for (float& v : k) v = static_cast<float>(v / sum);
  return k;
}

IirCoefficients iir_coefficients(float sigma) {
  // Young & van Vliet (1995), eq. 8c.
  constexpr double k1 = 2.44413, k2 = 1.4281, k3 = 0.422205;
  const double q = yvv_q(sigma);
  const double q2 = q * q, q3 = q2 * q;
  const double b0 = 1.57825 + k1 * q + k2 * q2 + k3 * q3;
  const double b1 = k1 * q + 2 * k2 * q2 + 3 * k3 * q3;
  const double b2 = -(k2 * q2 + 3 * k3 * q3);
  const double b3 = k3 * q3;

  IirCoefficients c;
  const double a1 = b1 / b0, a2 = b2 / b0, a3 = b3 / b0;
  c.a[0] = a1;
  c.a[1] = a2;
  c.a[2] = a3;
  c.b = 1.0 - (b1 + b2 + b3) / b0;

  // Triggs & Sdika (2006), eq. 15; the paper's factor 1 / (1 - a1 - a2 - a3)
  // cancels against the gain B of the normalised passes.
  const double s = 1.0 / ((1 + a1 - a2 + a3) * (1 + a2 + (a1 - a3) * a3));
  c.m[0][0] = s * (1 - a2 - a3 * (a1 + a3));
  c.m[0][1] = s * (a1 + a3) * (a2 + a1 * a3);
  c.m[0][2] = s * a3 * (a1 + a2 * a3);
  c.m[1][0] = s * (a1 + a2 * a3);
  c.m[1][1] = s * (1 - a2) * (a2 + a1 * a3);
  c.m[1][2] = s * a3 * (1 - a2 - a1 * a3 - a3 * a3);
  c.m[2][0] = s * (a1 * a1 + a2 + a1 * a3 - a2 * a2);
  c.m[2][1] = s * (a1 * a2 + a3 + a2 * a2 * a3 - a1 * a3 * a3 - a3 * a3 * a3 - a2 * a3);
  c.m[2][2] = s * a3 * (a1 + a2 * a3);
  return c;
}

int iir_settle_rows(const IirCoefficients& c, double eps, int limit) {
  double w[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};  // per unit start: newest .. oldest
  for (int k = 0; k < limit; ++k) {
    double worst = 0;
    for (auto& s : w) {
      const double v = c.a[0] * s[0] + c.a[1] * s[1] + c.a[2] * s[2];
      s[2] = s[1];
      s[1] = s[0];
      s[0] = v;
      worst = std::max({worst, std::abs(s[0]), std::abs(s[1]), std::abs(s[2])});
    }
    if (worst < eps) return k + 1;
  }
  return limit;
}

}  // namespace imgflo::runtime::ops::blur
