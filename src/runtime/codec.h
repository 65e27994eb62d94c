// Decoding inputs and encoding results.
//
// The input format is sniffed from the bytes (never from a name or a
// Content-Type) and decoded only by the loader its allow-list entry names
// (loaders.h: JPEG, PNG, GIF and WebP first frame, HEIC/HEIF, AVIF, JPEG XL,
// TIFF first page, SVG). The header is read first: images over their pixel
// limit are refused before any pixel is decoded; truncated or corrupt data
// fails (fail_on=truncated) instead of being grey-filled.
//
// Decoded images come out in the format GEGL's loaders gave: R'G'B'(A) or
// Y'(A), u8 or u16, straight alpha; upright (EXIF orientation applied, see
// orientation.h) and in sRGB (embedded ICC profiles applied, see
// colour_management.h; CMYK without a profile, or any CMYK in legacy mode,
// becomes RGB with the original's naive formula RGB = (1 - C)(1 - K)).
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "runtime/image.h"
#include "runtime/loaders.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace imgflo::runtime {

// The largest sequential JPEG decode (u8 bytes of its shrunk pixels) done
// whole rather than streamed (DecodeOptions::small_jpeg_bytes).
inline constexpr uint64_t kSmallJpegBytes = uint64_t{4} << 20;

// Shrink-on-load hint: the decoder may return an image reduced by up to this
// integer factor (JPEG DCT scaling, WebP scaling) when that is cheaper.
// Vector inputs (SVG) are instead drawn at `scale` (see vector_scale()); the
// pixel limit then applies to the drawn size.
struct DecodeOptions {
  DecodeLimits limits;
  int shrink = 1;
  Stop stop;  // polled while decoding JPEG scanlines into memory
  // Decode as a stream (pixels produced as the pipeline asks for them, top to
  // bottom, nothing held whole in memory). Only for pipelines that read the
  // image once, in order (Program::streams_input); otherwise the image is
  // decoded for random access.
  bool sequential = false;
  double scale = 1.0;  // vector inputs only
  // When not sequential: a JPEG (stored upright) is decoded on demand through
  // a window of rows (jpeg_decode.h window_jpeg, kJpegWindowBytes of rows at
  // first) instead of whole, for pipelines that read it mostly top to bottom.
  // Other formats and orientations are decoded whole.
  bool windowed = false;
  // A sequential JPEG decode whose (shrunk) pixels take at most this many
  // bytes is decoded whole instead, on the calling thread: the memory is that
  // of a few strips of a larger image, and it saves libvips' line cache and
  // the hand-offs per strip (a 512-wide thumbnail of a 2048x1368 photo: 15 %
  // less CPU, bench/RESULTS.md). 0: always stream.
  uint64_t small_jpeg_bytes = kSmallJpegBytes;
};

// The first window of a windowed JPEG decode: this many bytes of decoded rows
// (at least kJpegWindowMinRows rows).
inline constexpr size_t kJpegWindowBytes = size_t{8} << 20;
inline constexpr int kJpegWindowMinRows = 512;

// The u8 bytes of a JPEG of width x height x bands decoded at 1/shrink
// (libjpeg's scaled size: the sides divided and rounded up).
uint64_t shrunk_jpeg_bytes(int width, int height, int bands, int shrink);

// The scale at which a vector input of in_w x in_h is drawn to cover an
// out_w x out_h output: the larger of the two ratios, so the resize that
// follows only shrinks, and by less than a pixel when the aspect is kept.
double vector_scale(int in_w, int in_h, double out_w, double out_h);

// Decodes `bytes` (JPEG with GEGL's float IDCT, see jpeg_decode.h; other
// formats with their allow-listed libvips loader). The image references a
// private copy of the bytes, so `bytes` may be released afterwards. Errors:
// kUndecodable (not an accepted format, the message listing those; corrupt
// header), kTooLarge (pixel_limit() of the format).
Result<Image> decode(std::string_view bytes, const DecodeOptions& options = {});

// The normalisation decode() applies after a loader (to GEGL's formats), for
// images loaded elsewhere: the frames of an animation (runtime/animation.h).
Result<Image> normalise_decoded(vips::VImage v);

// Width and height of the upright image from the header only (no pixel
// decoding), an SVG's at its intrinsic size, and the EXIF orientation (1-8)
// that decode() will apply. Errors as decode(), except that no limit is applied.
struct ImageSize {
  int width = 0;
  int height = 0;
  ImageType type = ImageType::kUnknown;
  int orientation = 1;
};
Result<ImageSize> probe(std::string_view bytes);

enum class OutputType { kJpeg, kPng };

// The original's JPEG quality (the default of the `quality` parameter).
inline constexpr int kJpegQuality = 90;

// Encodes as the original's savers did: JPEG quality `jpeg_quality` (1..100,
// default the original's 90), progressive, optimised Huffman tables, no chroma
// subsampling, R'G'B' (alpha dropped, grey expanded); PNG 8-bit, compression
// 9, colour type from the image's model (Y', Y'A, R'G'B', R'G'B'A); PNG
// ignores the quality. Metadata is stripped. Evaluation honours `stop`.
// A JPEG of more than `jpeg_baseline_above` pixels (when not 0) is written
// baseline with libjpeg's standard Huffman tables instead
// (DecodeLimits::jpeg_baseline_above): the same pixels, a few % more bytes,
// without the whole-image coefficient buffer that both progressive and
// optimised tables need.
Result<std::string> encode(const Image& image, OutputType type, const Stop& stop, int jpeg_quality = kJpegQuality,
                           uint64_t jpeg_baseline_above = 0);

// Whether a width x height JPEG is written progressive under a
// `jpeg_baseline_above` setting (0 = always).
bool progressive_jpeg(int width, int height, uint64_t jpeg_baseline_above);

// JPEG saver settings: the service's (above) and node-canvas's (canvas/encode.h).
struct JpegSettings {
  int quality = kJpegQuality;
  bool progressive = true;
  bool optimize_coding = true;
  VipsForeignSubsample subsample = VIPS_FOREIGN_SUBSAMPLE_OFF;
};

// Writes R'G'B' u8 `rgb` as JPEG with `settings`, no metadata; honours `stop`.
Result<std::string> encode_jpeg_pixels(const vips::VImage& rgb, const JpegSettings& settings, const Stop& stop);

}  // namespace imgflo::runtime
