// Whether an embedded ICC profile is (a copy of) sRGB, so that converting
// the pixels to sRGB would be an identity and can be skipped.
//
// Most tagged images on the web carry an sRGB IEC61966-2.1 profile (HP's,
// libvips', Debian's icc-profiles-free and colord copies, camera and editor
// variants): each differs in bytes, so the decision is made on what the
// profile does, with lcms2: an RGB matrix/TRC ("matrix-shaper") profile whose
// red, green and blue colorants (D50-adapted XYZ, the only part of the
// profile a relative colorimetric transform uses besides the curves) are
// sRGB's within kColorantTolerance, and whose three tone curves are sRGB's
// within kCurveTolerance at 256 evenly spaced points (half an 8-bit level
// and less: the transform would change no 8-bit pixel by more than rounding).
// The profile is read by runtime/matrix_shaper.h: LUT-based profiles (any
// AToB/DToB table), grey, CMYK, Lab PCS and anything lcms cannot read are
// "not sRGB" (they go through the full transform, or are ignored as unusable).
//
// Cost: parsing the profile and 768 curve evaluations, a few microseconds;
// nothing is cached. Never throws; garbage bytes give false.
#pragma once

#include <cstddef>

namespace imgflo::runtime {

inline constexpr double kColorantTolerance = 0.002;       // per XYZ component
inline constexpr double kCurveTolerance = 0.5 / 255.0;    // per curve sample, on 0..1

bool is_srgb_equivalent(const void* icc_data, size_t length);

}  // namespace imgflo::runtime
