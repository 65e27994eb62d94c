// The accepted input formats: one allow-list, one entry per format, giving
// its signature (magic.h), the libvips loader called by name with its options,
// and the pixel limit that applies to it.
//
//   format   signature                 loader (from memory)      limit
//   JPEG     FF D8 FF                  our libjpeg reader        max_pixels
//   PNG      89 PNG                    pngload_buffer            max_pixels
//   GIF      GIF87a/89a                gifload_buffer, frame 1   max_pixels
//   WebP     RIFF....WEBP              webpload_buffer           max_pixels
//   HEIF     ftyp heic/mif1/...        heifload_buffer, primary  max_pixels
//   AVIF     ftyp avif/avis            heifload_buffer, primary  max_pixels
//   JPEG XL  FF 0A / 'JXL ' box        jxlload_buffer            max_pixels
//   TIFF     II*/MM* (BigTIFF too)     tiffload_buffer, page 1   max_pixels
//   SVG      [prolog] <svg             svgload_buffer            max_vector_pixels (and max_pixels)
//
// Nothing else is ever decoded: no generic loader (vips_image_new_from_buffer
// picks one by content) is called, and restrict_vips_loaders() blocks every
// other libvips loader (PDF, PSD/ImageMagick, FITS, OpenEXR, matrix, CSV, vips,
// PPM, Radiance, Analyze, JPEG 2000, OpenSlide …) for the whole process.
// SVG is read from memory with no base URI and librsvg's default limits, so it
// cannot reference files or URLs; gzip-compressed SVG is not accepted.
#pragma once

#include "core/error.h"
#include "runtime/colour_management.h"
#include "runtime/video/video_probe.h"

#include <vips/vips8>

#include <cstdint>
#include <string>
#include <string_view>

namespace imgflo::runtime {

enum class ImageType { kUnknown, kJpeg, kPng, kGif, kWebp, kHeif, kAvif, kJxl, kTiff, kSvg };

struct DecodeLimits {
  // width x height of the (first frame of the) input, from its header.
  uint64_t max_pixels = 50'000'000;
  // Rendered size of a vector input (SVG), checked at the scale it is drawn
  // at, before drawing. Smaller than max_pixels by default: librsvg draws on
  // one thread, its cost grows with the area times the content, and a few
  // hundred bytes of SVG can declare any size. 16 MP = 4000 x 4000.
  uint64_t max_vector_pixels = 16'000'000;
  // Animated inputs run frame by frame (runtime/animation.h): at most this
  // many frames, and at most this many pixels over all frames, counted both
  // in the input and in the (rescaled) frames the graph is given. The
  // finished frames are held as 8-bit RGBA until written: 50 MP is 200 MB
  // (200 frames of 500x500; 300-370 MB peak RSS measured, bench/animation.sh).
  int max_frames = 500;
  uint64_t max_animation_pixels = 50'000'000;
  // Embedded ICC profiles: applied (kIcc) or ignored as the original did
  // (kLegacy); IMGFLO_COLOR_MANAGEMENT. See colour_management.h.
  ColourManagement colour = ColourManagement::kIcc;
  // JPEG results of more than this many pixels are written baseline with
  // standard Huffman tables instead of progressive with optimised ones:
  // libjpeg holds every DCT coefficient of the image for either (2 bytes
  // per sample: 6 bytes per pixel at 4:4:4, 174 MB for 29 MP), baseline
  // with standard tables a row of blocks; files are ~4 % larger. 0 = always
  // progressive, as the original (the default); IMGFLO_JPEG_BASELINE_ABOVE.
  uint64_t jpeg_baseline_above = 0;
  // Video inputs (runtime/video/video_probe.h: duration, frames, pixels per
  // frame and in total, result bytes; IMGFLO_VIDEO_MAX_*).
  video::VideoLimits video;
};

// The format of `bytes` by its signature; kUnknown for anything not accepted.
ImageType sniff(std::string_view bytes);

// "jpg", "png", "gif", "webp", "heic", "avif", "jxl", "tif", "svg"; "" for kUnknown.
std::string_view type_extension(ImageType t);

// The public list of accepted formats for error messages:
// "JPEG, PNG, GIF, WebP, HEIC/HEIF, AVIF, JPEG XL, TIFF or SVG".
const std::string& accepted_formats();

// Vector formats are drawn at a scale rather than decoded at a size.
bool is_vector(ImageType t);

// The pixel limit for `t` under `limits` (the smaller of the two for vectors).
uint64_t pixel_limit(ImageType t, const DecodeLimits& limits);

// Owns a VipsBlob holding a private copy of the input bytes.
class Blob {
 public:
  explicit Blob(std::string_view bytes);
  ~Blob();
  Blob(const Blob&) = delete;
  Blob& operator=(const Blob&) = delete;
  VipsBlob* get() const { return blob_; }

 private:
  VipsBlob* blob_;
};

struct LoadHints {
  int shrink = 1;           // raster: may come out up to this factor smaller (WebP scaling)
  double scale = 1.0;       // vector: drawn at this scale (clamped to libvips' 0.001..100000)
  bool sequential = false;  // decoded as a top-to-bottom stream (see codec.h DecodeOptions)
};

// Opens `blob` with the allow-listed libvips loader for `type` (any type but
// kJpeg and kUnknown): lazy, only the header is read; pixels are decoded when
// the image is evaluated, with fail_on=truncated. Errors: kUndecodable
// (corrupt or unsupported header, loader refused), kTooLarge (an SVG whose
// declared size is beyond libvips' coordinate range, which libvips would
// otherwise turn into 1 pixel).
Result<vips::VImage> open_with_libvips(ImageType type, const Blob& blob, const LoadHints& hints);

// Blocks every libvips loader except those of the allow-list, process-wide
// (vips_operation_block_set). For formats libvips itself trusts the whole
// loader family stays open (tools and tests read local files with it); for
// the two it marks untrusted (SVG, JPEG XL) only the from-memory loader the
// service calls. Call once at start-up, before any thread uses libvips.
void restrict_vips_loaders();

}  // namespace imgflo::runtime
