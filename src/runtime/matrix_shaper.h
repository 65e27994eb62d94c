// An RGB matrix/TRC ("matrix-shaper") ICC profile as a relative colorimetric
// transform without black point compensation uses it: three colorants (the
// XYZ of full red, green and blue, adapted to the D50 PCS) and three tone
// curves (device value -> linear), read with lcms2.
//
// Only profiles whose relative colorimetric transform IS that matrix and
// those curves are read: RGB data, XYZ PCS, the rXYZ/gXYZ/bXYZ and
// rTRC/gTRC/bTRC tags, and no AToB*/DToB* table at all (lcms uses AToB0 for
// the relative intent when AToB1 is missing, so any table wins over the
// matrix). Everything else (LUT-based profiles, grey, CMYK, Lab PCS, bytes
// lcms cannot parse) gives nullopt. Values are as stored: the caller judges
// whether they are plausible.
//
// Cost: parsing the profile and 768 curve evaluations, a few microseconds.
// Never throws; thread-safe (no shared state).
#pragma once

#include <array>
#include <cstddef>
#include <optional>

namespace imgflo::runtime {

struct MatrixShaper {
  static constexpr int kCurveSamples = 256;  // one per 8-bit device value

  // colorants[c] = {X, Y, Z} of channel c (0 red, 1 green, 2 blue) at full value.
  std::array<std::array<double, 3>, 3> colorants{};
  // curves[c][i] = the channel's linear value for device value i / 255, as lcms evaluates it.
  std::array<std::array<float, kCurveSamples>, 3> curves{};
};

// The matrix/TRC content of the ICC profile `icc_data` (see above for when
// there is one).
std::optional<MatrixShaper> read_matrix_shaper(const void* icc_data, size_t length);

// The same for a profile lcms has already opened (a cmsHPROFILE).
std::optional<MatrixShaper> read_matrix_shaper_lcms(void* lcms_profile);

}  // namespace imgflo::runtime
