// The dominant colour of an image: the mean colour of its largest cluster of
// similar colours.
//
// Clusters come from k-means in CIE L*a*b* (D65) on the pixels given (the
// caller passes a small downscale, a few thousand pixels):
//   - k = kDominantClusters (fewer when there are fewer pixels); deterministic
//     farthest-point start (the mean, then repeatedly the pixel farthest from
//     every centre so far; ties to the first pixel), so the same pixels
//     always give the same answer (no random seeds);
//   - at most kDominantIterations Lloyd rounds (stops early when no pixel
//     changes cluster);
//   - clusters whose centres are closer than kDominantMergeDeltaE (CIE76) are
//     then merged, closest pair first, so that one spread-out region split by
//     k-means counts as one;
//   - the largest cluster (most pixels; ties to the first) wins, and its
//     colour is the mean of its pixels' sRGB values.
//
// Pure functions; thread-safe.
#pragma once

#include "runtime/blurhash.h"

#include <cstdint>
#include <string>

namespace imgflo::runtime {

inline constexpr int kDominantClusters = 5;
inline constexpr int kDominantIterations = 16;
inline constexpr double kDominantMergeDeltaE = 16.0;

struct Rgb8 {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb8&) const = default;
};

struct Lab {
  double l = 0, a = 0, b = 0;
};

// sRGB 8-bit -> CIE L*a*b* with the D65 white (sRGB's own).
Lab lab_from_srgb(Rgb8 c);
double delta_e76(const Lab& x, const Lab& y);

// REQUIRES: image.width, image.height >= 1 (see RgbView).
Rgb8 dominant_colour(const RgbView& image);

// "#rrggbb", lower-case hex.
std::string hex_colour(Rgb8 c);

}  // namespace imgflo::runtime
