// JPEG decoding with libjpeg, configured as GEGL's jpg-load was.
//
// libvips decodes with libjpeg's default integer IDCT; GEGL used the float
// IDCT (JDCT_FLOAT), and the original's reference images differ by up to 3
// levels (dE 2.9) between the two. To reproduce them we decode JPEG here.
// The whole image is decoded into memory (band-interleaved u8), with libjpeg
// DCT scaling for shrink-on-load. Any libjpeg warning (truncated data, corrupt
// segments) is an error.
#pragma once

#include "core/deadline.h"
#include "core/error.h"

#include <vips/vips8>

#include <string_view>

namespace imgflo::runtime {

struct JpegInfo {
  int width = 0;
  int height = 0;
  int components = 0;  // output bands: 1 (grey), 3 (RGB) or 4 (CMYK)
};

// Header only. kUndecodable when the header is unreadable.
Result<JpegInfo> read_jpeg_info(std::string_view bytes);

// Decodes to a memory VImage: 1 band (B_W), 3 (sRGB) or 4 (CMYK, Adobe
// inversion undone, so 0 = no ink). `shrink` is 1, 2, 4 or 8. Polls `stop`
// every few rows.
Result<vips::VImage> decode_jpeg(std::string_view bytes, int shrink, const Stop& stop);

}  // namespace imgflo::runtime
