// JPEG decoding with libjpeg, configured as GEGL's jpg-load was.
//
// libvips decodes with libjpeg's default integer IDCT; GEGL used the float
// IDCT (JDCT_FLOAT), and the original's reference images differ by up to 3
// levels (dE 2.9) between the two. To reproduce them we decode JPEG here.
// decode_jpeg() decodes the whole image into memory (band-interleaved u8);
// stream_jpeg() produces it row by row for pipelines that read it once;
// window_jpeg() on demand, keeping a window of rows for pipelines that look
// back. All three use libjpeg DCT scaling for shrink-on-load. Any libjpeg
// warning (truncated data, corrupt segments) is an error.
//
// Metadata: the EXIF orientation (APP1) is read with the header; an embedded
// ICC profile (APP2 chunks, reassembled by libjpeg) is attached to decoded
// images as "icc-profile-data", like libvips' loaders do. Both live inside
// the input bytes, so what they cost is bounded by the input size.
#pragma once

#include "core/deadline.h"
#include "core/error.h"

#include <vips/vips8>

#include <atomic>
#include <memory>
#include <string_view>
#include <utility>

namespace imgflo::runtime {

struct JpegInfo {
  int width = 0;
  int height = 0;
  int components = 0;  // output bands: 1 (grey), 3 (RGB) or 4 (CMYK)
  int orientation = 1;  // EXIF orientation 1-8 (see orientation.h); width/height are as stored
};

// Header only. kUndecodable when the header is unreadable.
Result<JpegInfo> read_jpeg_info(std::string_view bytes);

// The width and height (as stored) that decode_jpeg()/stream_jpeg() give at
// `shrink` (1, 2, 4 or 8), from the header: libjpeg's own computation, the
// ceiling of side / shrink (shrink_on_load.h relies on it). kUndecodable
// when the header is unreadable.
Result<std::pair<int, int>> jpeg_decoded_size(std::string_view bytes, int shrink);

// Decodes to a memory VImage: 1 band (B_W), 3 (sRGB) or 4 (CMYK, Adobe
// inversion undone, so 0 = no ink). `shrink` is 1, 2, 4 or 8. Polls `stop`
// every few rows.
Result<vips::VImage> decode_jpeg(std::string_view bytes, int shrink, const Stop& stop);

// The same pixels as a sequential stream: scanlines are decoded as the
// pipeline asks for them, top to bottom (one read; a second pass or an
// out-of-order request fails the evaluation). Keeps a private copy of
// `bytes`. Header errors are reported here, pixel errors when evaluated.
Result<vips::VImage> stream_jpeg(std::string_view bytes, int shrink);

// The same pixels for any order of reading, holding only a window of decoded
// rows: scanlines are decoded as the pipeline asks for them and the last
// `window_rows` (>= 1) of them are kept, so a pipeline that reads mostly top
// to bottom but looks back (strips with overlap, tiles with a reach, a row
// cache) holds window_rows x width x bands bytes instead of the whole image.
// A request for a row that has left the window restarts the decode from the
// top with a window twice as tall; the third restart keeps every row (the
// memory of decode_jpeg, never a failure). Polls `stop` (copied) every few
// rows: a stop fails the evaluation, whose caller reports the Stop's error.
// Keeps a private copy of `bytes`. Header errors are reported here, pixel
// errors when evaluated. Thread-safe (libvips' workers are serialised).
// `stats`, when given, follows the decode (for tests and benches).
struct JpegWindowStats {
  std::atomic<int> restarts{0};     // passes begun after the first
  std::atomic<int> window_rows{0};  // rows the window holds now
};
Result<vips::VImage> window_jpeg(std::string_view bytes, int shrink, const Stop& stop, int window_rows,
                                 std::shared_ptr<JpegWindowStats> stats = nullptr);

}  // namespace imgflo::runtime
