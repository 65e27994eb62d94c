// Encoding results as AVIF or JPEG XL: still images only (an animated input
// gives its first frame, as for JPEG and PNG).
//
// Settings, chosen for a server (measured on a 2 MP photo, bench/outputs.sh
// and bench/RESULTS.md):
// - AVIF: libheif's AV1 encoder (aom: Debian 12's libheif has no rav1e/SVT),
//   8-bit, effort 0 of 0..9 (aom speed 9). On the 1728x1200 photo at Q 50-65
//   effort 0 costs ~0.1 s CPU; effort 3 ~0.8 s and effort 4 ~3 s for files
//   ~15 % and ~20 % smaller at the same mean dE00; effort 1-2 are slower than
//   0 and no smaller. Chroma 4:2:0 (libvips' "auto" below Q 90), 4:4:4 for
//   lossless. Default quality 50.
//   lossless=true: libvips 8.14 writes lossless AV1 in YCbCr (not the
//   identity matrix), so every channel decodes within 1 of the source: near-
//   lossless, said so in README.md.
// - JPEG XL: libjxl, effort 4 of 3..9 (~0.1 s CPU on the photo, the default 7
//   ~0.8 s), default quality 75 (distance ~2.35); lossless=true is exact.
// Alpha is kept; grey is expanded to R'G'B'; u16 results are written as u8.
// Metadata is stripped.
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "runtime/image.h"
#include "runtime/output_options.h"

#include <string>

namespace imgflo::runtime {

enum class StillFormat { kAvif, kJxl };

inline constexpr int kAvifQuality = 50;
inline constexpr int kAvifEffort = 0;
inline constexpr int kJxlQuality = 75;
inline constexpr int kJxlEffort = 4;

// Encodes `image` (evaluation honours `stop`). Errors: kProcessingFailed
// (encoder failure), the Stop's error.
Result<std::string> encode_still(const Image& image, StillFormat format, const OutputOptions& options,
                                 const Stop& stop);

// libvips flags its JPEG XL saver "untrusted" (libjxl was not fuzzed), so
// vips_block_untrusted_set() blocks it; the service writes JPEG XL only from
// pixels it decoded itself, and unblocks just that saver. Called once by
// app::init_vips after blocking.
void allow_output_savers();

}  // namespace imgflo::runtime
