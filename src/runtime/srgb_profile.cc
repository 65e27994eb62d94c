#include "runtime/srgb_profile.h"

#include "runtime/matrix_shaper.h"

#include <lcms2.h>

#include <cmath>
#include <memory>
#include <optional>

namespace imgflo::runtime {

namespace {

struct ProfileCloser {
  void operator()(void* p) const { cmsCloseProfile(p); }
};

// lcms' own sRGB (IEC 61966-2.1 primaries adapted to D50, the sRGB curve),
// read once: the reference every embedded profile is compared with.
const std::optional<MatrixShaper>& reference_srgb() {
  static const std::optional<MatrixShaper> srgb = [] {
    const std::unique_ptr<void, ProfileCloser> p(cmsCreate_sRGBProfile());
    return read_matrix_shaper_lcms(p.get());
  }();
  return srgb;
}

bool close(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  for (size_t i = 0; i < 3; ++i)
    if (std::fabs(a[i] - b[i]) > kColorantTolerance) return false;
  return true;
}

bool equivalent(const MatrixShaper& a, const MatrixShaper& b) {
  for (size_t c = 0; c < 3; ++c) {
    if (!close(a.colorants[c], b.colorants[c])) return false;
    for (int i = 0; i < MatrixShaper::kCurveSamples; ++i)
      if (std::fabs(a.curves[c][i] - b.curves[c][i]) > kCurveTolerance) return false;
  }
  return true;
}

}  // namespace

bool is_srgb_equivalent(const void* icc_data, size_t length) {
  const auto& srgb = reference_srgb();
  if (!srgb) return false;
  const auto shaper = read_matrix_shaper(icc_data, length);
  return shaper && equivalent(*shaper, *srgb);
}

}  // namespace imgflo::runtime
