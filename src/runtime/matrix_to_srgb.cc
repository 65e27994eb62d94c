#include "runtime/matrix_to_srgb.h"

#include "runtime/matrix_shaper.h"
#include "runtime/srgb_levels.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace imgflo::runtime {

namespace {

using Mat3 = std::array<std::array<double, 3>, 3>;  // [row][column]

// One matrix column scaled by a channel's linear value; the 4th lane is 0 so
// that adding three of them is one vector addition per pair.
struct alignas(16) Lanes {
  std::array<float, 4> v;
};

// The matrix whose columns are the three colorants.
Mat3 colorant_matrix(const MatrixShaper& m) {
  Mat3 a{};
  for (size_t c = 0; c < 3; ++c)
    for (size_t row = 0; row < 3; ++row) a[row][c] = m.colorants[c][row];
  return a;
}

std::optional<Mat3> inverse(const Mat3& a) {
  Mat3 cof{};
  for (size_t r = 0; r < 3; ++r)
    for (size_t c = 0; c < 3; ++c)
      cof[c][r] = a[(r + 1) % 3][(c + 1) % 3] * a[(r + 2) % 3][(c + 2) % 3] -
                  a[(r + 1) % 3][(c + 2) % 3] * a[(r + 2) % 3][(c + 1) % 3];  // transposed: the adjugate
  const double det = a[0][0] * cof[0][0] + a[0][1] * cof[1][0] + a[0][2] * cof[2][0];
  if (!std::isfinite(det) || std::fabs(det) < 1e-6) return std::nullopt;
  for (auto& row : cof)
    for (double& x : row) x /= det;
  return cof;
}

Mat3 product(const Mat3& a, const Mat3& b) {
  Mat3 p{};
  for (size_t r = 0; r < 3; ++r)
    for (size_t c = 0; c < 3; ++c)
      for (size_t k = 0; k < 3; ++k) p[r][c] += a[r][k] * b[k][c];
  return p;
}

// XYZ (D50) -> linear sRGB: the inverse of libvips' built-in sRGB profile's
// colorant matrix, the profile icc_transform converts into. Read once.
const std::optional<Mat3>& xyz_to_srgb() {
  static const std::optional<Mat3> m = []() -> std::optional<Mat3> {
    VipsBlob* blob = nullptr;
    if (vips_profile_load("srgb", &blob, nullptr) != 0) {
      vips_error_clear();
      return std::nullopt;
    }
    size_t length = 0;
    const void* data = vips_blob_get(blob, &length);
    const auto srgb = read_matrix_shaper(data, length);
    vips_area_unref(reinterpret_cast<VipsArea*>(blob));
    return srgb ? inverse(colorant_matrix(*srgb)) : std::nullopt;
  }();
  return m;
}

bool plausible(const MatrixShaper& m) {
  for (const auto& xyz : m.colorants)
    for (double x : xyz)
      if (!std::isfinite(x) || std::fabs(x) > kMaxColorantComponent) return false;
  for (const auto& curve : m.curves)
    for (float y : curve)
      if (!std::isfinite(y) || y < -kCurveSlack || y > 1.0f + kCurveSlack) return false;
  return true;
}

}  // namespace

struct MatrixToSrgb::Tables {
  // columns[c][v]: the device-linear -> sRGB-linear matrix's column c times
  // channel c's linear value for device value v.
  std::array<std::array<Lanes, 256>, 3> columns{};
  const SrgbLevels* levels = nullptr;
};

namespace {

std::shared_ptr<const MatrixToSrgb::Tables> build_tables(const MatrixShaper& in, const Mat3& to_srgb,
                                                         const SrgbLevels* levels) {
  const Mat3 m = product(to_srgb, colorant_matrix(in));
  auto t = std::make_shared<MatrixToSrgb::Tables>();
  t->levels = levels;
  for (size_t c = 0; c < 3; ++c)
    for (size_t v = 0; v < 256; ++v) {
      const double linear = std::clamp(static_cast<double>(in.curves[c][v]), 0.0, 1.0);
      for (size_t row = 0; row < 3; ++row) t->columns[c][v].v[row] = static_cast<float>(m[row][c] * linear);
    }
  return t;
}

#if defined(__SSE2__)
// One pixel's sRGB-linear values, clipped to [0, 1], and their SrgbLevels
// buckets, in SSE registers (x86-64 always has SSE2; GCC does not vectorise
// the scalar form, which costs twice as much).
void linear_pixel(const Lanes& r, const Lanes& g, const Lanes& b, Lanes& clipped, std::array<int32_t, 4>& bucket) {
  __m128 v = _mm_add_ps(_mm_add_ps(_mm_load_ps(r.v.data()), _mm_load_ps(g.v.data())), _mm_load_ps(b.v.data()));
  v = _mm_min_ps(_mm_max_ps(v, _mm_setzero_ps()), _mm_set1_ps(1.0f));
  _mm_store_ps(clipped.v.data(), v);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(bucket.data()), _mm_cvttps_epi32(_mm_mul_ps(v, _mm_set1_ps(SrgbLevels::kScale))));
}
#else
void linear_pixel(const Lanes& r, const Lanes& g, const Lanes& b, Lanes& clipped, std::array<int32_t, 4>& bucket) {
  for (size_t i = 0; i < 4; ++i) {
    clipped.v[i] = std::min(std::max(r.v[i] + g.v[i] + b.v[i], 0.0f), 1.0f);
    bucket[i] = static_cast<int32_t>(clipped.v[i] * SrgbLevels::kScale);
  }
}
#endif

template <int Bands>
void convert_row(const MatrixToSrgb::Tables& t, const VipsPel* p, VipsPel* q, int width) {
  const SrgbLevels& levels = *t.levels;
  Lanes v;
  std::array<int32_t, 4> bucket{};
  for (int x = 0; x < width; ++x, p += Bands, q += Bands) {
    linear_pixel(t.columns[0][p[0]], t.columns[1][p[1]], t.columns[2][p[2]], v, bucket);
    for (size_t c = 0; c < 3; ++c) q[c] = levels.in_bucket(bucket[c], v.v[c]);
    if constexpr (Bands == 4) q[3] = p[3];
  }
}

// What a lazy output image holds: its input (a reference) and the tables.
struct State {
  vips::VImage in;
  std::shared_ptr<const MatrixToSrgb::Tables> tables;
};

int generate(VipsRegion* out, void* seq, void*, void* b, gboolean*) {
  auto* in = static_cast<VipsRegion*>(seq);
  const auto* state = static_cast<const State*>(b);
  const VipsRect& r = out->valid;
  if (vips_region_prepare(in, &r) != 0) return -1;
  const bool alpha = out->im->Bands == 4;
  for (int y = r.top; y < r.top + r.height; ++y) {
    const VipsPel* p = VIPS_REGION_ADDR(in, r.left, y);
    VipsPel* q = VIPS_REGION_ADDR(out, r.left, y);
    if (alpha)
      convert_row<4>(*state->tables, p, q, r.width);
    else
      convert_row<3>(*state->tables, p, q, r.width);
  }
  return 0;
}

void free_state(VipsImage*, void* state) { delete static_cast<State*>(state); }

}  // namespace

std::optional<MatrixToSrgb> MatrixToSrgb::from_profile(const void* icc_data, size_t length) {
  const SrgbLevels* levels = SrgbLevels::instance();
  const auto& to_srgb = xyz_to_srgb();
  if (levels == nullptr || !to_srgb) return std::nullopt;
  const auto shaper = read_matrix_shaper(icc_data, length);
  if (!shaper || !plausible(*shaper)) return std::nullopt;
  return MatrixToSrgb(build_tables(*shaper, *to_srgb, levels));
}

vips::VImage MatrixToSrgb::apply(const vips::VImage& rgb) const {
  VipsImage* out = vips_image_new();
  vips::VImage owner(out);  // steals the reference; frees the state on close (connected below)
  auto* state = new State{rgb, tables_};
  g_signal_connect(out, "close", G_CALLBACK(free_state), state);
  VipsImage* in = state->in.get_image();
  if (vips_image_pipelinev(out, VIPS_DEMAND_STYLE_THINSTRIP, in, nullptr) != 0) throw vips::VError();
  out->Type = VIPS_INTERPRETATION_sRGB;
  if (vips_image_generate(out, vips_start_one, generate, vips_stop_one, in, state) != 0) throw vips::VError();
  return owner;
}

}  // namespace imgflo::runtime
