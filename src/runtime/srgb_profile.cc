#include "runtime/srgb_profile.h"

#include <lcms2.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>

namespace imgflo::runtime {

namespace {

struct ProfileCloser {
  void operator()(void* p) const { cmsCloseProfile(p); }
};
using Profile = std::unique_ptr<void, ProfileCloser>;

constexpr std::array<cmsTagSignature, 3> kColorants = {cmsSigRedColorantTag, cmsSigGreenColorantTag,
                                                        cmsSigBlueColorantTag};
constexpr std::array<cmsTagSignature, 3> kCurves = {cmsSigRedTRCTag, cmsSigGreenTRCTag, cmsSigBlueTRCTag};
constexpr int kCurveSamples = 256;

// What a profile's relative colorimetric transform depends on: the three
// colorants and the three tone curves sampled at kCurveSamples points.
struct MatrixShaper {
  std::array<cmsCIEXYZ, 3> colorants{};
  std::array<std::array<float, kCurveSamples>, 3> curves{};
};

std::optional<MatrixShaper> read_matrix_shaper(cmsHPROFILE p) {
  MatrixShaper m;
  for (size_t c = 0; c < 3; ++c) {
    const auto* xyz = static_cast<const cmsCIEXYZ*>(cmsReadTag(p, kColorants[c]));
    const auto* curve = static_cast<const cmsToneCurve*>(cmsReadTag(p, kCurves[c]));
    if (xyz == nullptr || curve == nullptr) return std::nullopt;
    m.colorants[c] = *xyz;
    for (int i = 0; i < kCurveSamples; ++i)
      m.curves[c][i] = cmsEvalToneCurveFloat(curve, static_cast<cmsFloat32Number>(i) / (kCurveSamples - 1));
  }
  return m;
}

// lcms' own sRGB (IEC 61966-2.1 primaries adapted to D50, the sRGB curve),
// read once: the reference every embedded profile is compared with.
const std::optional<MatrixShaper>& reference_srgb() {
  static const std::optional<MatrixShaper> srgb = [] {
    const Profile p(cmsCreate_sRGBProfile());
    return p ? read_matrix_shaper(p.get()) : std::nullopt;
  }();
  return srgb;
}

bool close(const cmsCIEXYZ& a, const cmsCIEXYZ& b) {
  return std::fabs(a.X - b.X) <= kColorantTolerance && std::fabs(a.Y - b.Y) <= kColorantTolerance &&
         std::fabs(a.Z - b.Z) <= kColorantTolerance;
}

bool equivalent(const MatrixShaper& a, const MatrixShaper& b) {
  for (size_t c = 0; c < 3; ++c) {
    if (!close(a.colorants[c], b.colorants[c])) return false;
    for (int i = 0; i < kCurveSamples; ++i)
      if (std::fabs(a.curves[c][i] - b.curves[c][i]) > kCurveTolerance) return false;
  }
  return true;
}

}  // namespace

bool is_srgb_equivalent(const void* icc_data, size_t length) {
  if (icc_data == nullptr || length == 0 || length > UINT32_MAX) return false;
  const Profile embedded(cmsOpenProfileFromMem(icc_data, static_cast<cmsUInt32Number>(length)));
  const auto& srgb = reference_srgb();
  if (!embedded || !srgb) return false;
  cmsHPROFILE p = embedded.get();
  if (cmsGetColorSpace(p) != cmsSigRgbData || !cmsIsMatrixShaper(p)) return false;
  // A profile with LUTs for the relative intent is used by them, not by its matrix.
  if (cmsIsCLUT(p, INTENT_RELATIVE_COLORIMETRIC, LCMS_USED_AS_INPUT)) return false;
  const auto shaper = read_matrix_shaper(p);
  return shaper && equivalent(*shaper, *srgb);
}

}  // namespace imgflo::runtime
