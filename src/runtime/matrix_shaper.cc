#include "runtime/matrix_shaper.h"

#include <lcms2.h>

#include <cstdint>
#include <memory>

namespace imgflo::runtime {

namespace {

struct ProfileCloser {
  void operator()(void* p) const { cmsCloseProfile(p); }
};
using Profile = std::unique_ptr<void, ProfileCloser>;

constexpr std::array<cmsTagSignature, 3> kColorants = {cmsSigRedColorantTag, cmsSigGreenColorantTag,
                                                        cmsSigBlueColorantTag};
constexpr std::array<cmsTagSignature, 3> kCurves = {cmsSigRedTRCTag, cmsSigGreenTRCTag, cmsSigBlueTRCTag};
constexpr std::array<cmsTagSignature, 6> kTables = {cmsSigAToB0Tag, cmsSigAToB1Tag, cmsSigAToB2Tag,
                                                     cmsSigDToB0Tag, cmsSigDToB1Tag, cmsSigDToB2Tag};

bool is_plain_matrix_shaper(cmsHPROFILE p) {
  if (cmsGetColorSpace(p) != cmsSigRgbData || cmsGetPCS(p) != cmsSigXYZData || !cmsIsMatrixShaper(p)) return false;
  for (cmsTagSignature tag : kTables)
    if (cmsIsTag(p, tag)) return false;
  return true;
}

}  // namespace

std::optional<MatrixShaper> read_matrix_shaper_lcms(void* lcms_profile) {
  if (lcms_profile == nullptr || !is_plain_matrix_shaper(lcms_profile)) return std::nullopt;
  MatrixShaper m;
  for (size_t c = 0; c < 3; ++c) {
    const auto* xyz = static_cast<const cmsCIEXYZ*>(cmsReadTag(lcms_profile, kColorants[c]));
    const auto* curve = static_cast<const cmsToneCurve*>(cmsReadTag(lcms_profile, kCurves[c]));
    if (xyz == nullptr || curve == nullptr) return std::nullopt;
    m.colorants[c] = {xyz->X, xyz->Y, xyz->Z};
    for (int i = 0; i < MatrixShaper::kCurveSamples; ++i)
      m.curves[c][i] =
          cmsEvalToneCurveFloat(curve, static_cast<cmsFloat32Number>(i) / (MatrixShaper::kCurveSamples - 1));
  }
  return m;
}

std::optional<MatrixShaper> read_matrix_shaper(const void* icc_data, size_t length) {
  if (icc_data == nullptr || length == 0 || length > UINT32_MAX) return std::nullopt;
  const Profile p(cmsOpenProfileFromMem(icc_data, static_cast<cmsUInt32Number>(length)));
  return read_matrix_shaper_lcms(p.get());
}

}  // namespace imgflo::runtime
