// The fast exact path of colour management (runtime/colour_management.h) for
// the common case: 8-bit RGB(A) pixels tagged with an RGB matrix/TRC profile
// (Adobe RGB, ProPhoto, Wide Gamut, Display P3, camera "sRGB-like" ones),
// converted to sRGB with the relative colorimetric intent, no black point
// compensation.
//
// Such a transform is, per pixel: each channel's tone curve (device value ->
// linear), one 3x3 matrix (the profile's colorants, then the inverse of the
// output sRGB profile's colorants: device-linear -> sRGB-linear, both in the
// D50 PCS), clipping to [0, 1], and the sRGB curve. Here the curves and the
// matrix are folded into three 256-entry tables of matrix columns (built once
// per profile from lcms2's evaluation of the curves), so a pixel costs three
// lookups, two vector additions and three exact sRGB roundings
// (runtime/srgb_levels.h). libvips' icc_transform does the same through
// lcms' 8-bit matrix-shaper path in 1.14 fixed point with a 16385-entry
// output table, so the two agree within one level (they differ where lcms'
// fixed point lands on the other side of a rounding boundary:
// tests/unit/matrix_to_srgb_test.cc measures it).
//
// The output profile is libvips' built-in "srgb" (colorants) with the
// IEC 61966-2.1 curve. Alpha (a 4th band) passes through unchanged.
// Thread-safe: the tables are read-only and shared by the lazy images.
#pragma once

#include <vips/vips8>

#include <cstddef>
#include <memory>
#include <optional>

namespace imgflo::runtime {

// Plausibility limits on an input profile's numbers; a profile beyond them
// takes the general path (libvips icc_transform).
inline constexpr double kMaxColorantComponent = 2.0;  // |X|, |Y|, |Z| of each colorant (photo profiles: < 1.1)
inline constexpr float kCurveSlack = 1e-4f;           // curve samples must lie in [-slack, 1 + slack]

class MatrixToSrgb {
 public:
  // The conversion for this ICC profile, or nullopt when it does not apply:
  // not a plain RGB matrix/TRC profile (runtime/matrix_shaper.h), numbers
  // beyond the limits above or not finite, or the output side could not be
  // set up. Cost: reading the profile (~0.1 ms). Never throws.
  static std::optional<MatrixToSrgb> from_profile(const void* icc_data, size_t length);

  // `rgb` converted, lazily: uchar with 3 bands (RGB) or 4 (RGB + alpha);
  // the result has the same size, bands and metadata, interpretation sRGB.
  // REQUIRES: that format and band count. Throws vips::VError if libvips
  // cannot set the pipeline up.
  vips::VImage apply(const vips::VImage& rgb) const;

  struct Tables;

 private:
  explicit MatrixToSrgb(std::shared_ptr<const Tables> tables) : tables_(std::move(tables)) {}
  std::shared_ptr<const Tables> tables_;
};

}  // namespace imgflo::runtime
