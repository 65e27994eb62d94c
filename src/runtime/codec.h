// Decoding inputs and encoding results.
//
// The input format is sniffed from the bytes (never from a name or a
// Content-Type) and only the JPEG, PNG, GIF (first frame) and WebP loaders of
// libvips are used. The header is read first: images over the pixel limit are
// refused before any pixel is decoded; truncated or corrupt data fails
// (fail_on=truncated) instead of being grey-filled.
//
// Decoded images come out in the format GEGL's loaders gave: R'G'B'(A) or
// Y'(A), u8 or u16, straight alpha. CMYK JPEGs (Adobe-inverted or not) become
// RGB with the original's naive formula RGB = (1 - C)(1 - K), not ICC.
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "runtime/image.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace imgflo::runtime {

enum class ImageType { kUnknown, kJpeg, kPng, kGif, kWebp };

ImageType sniff(std::string_view bytes);
std::string_view type_extension(ImageType t);   // "jpg", "png", "gif", "webp", ""

struct DecodeLimits {
  uint64_t max_pixels = 50'000'000;  // width x height of the (first frame of the) input
};

// Shrink-on-load hint: the decoder may return an image reduced by up to this
// integer factor (JPEG DCT scaling, WebP scaling) when that is cheaper.
struct DecodeOptions {
  DecodeLimits limits;
  int shrink = 1;
  Stop stop;  // polled while decoding JPEG scanlines into memory
  // Decode as a stream (pixels produced as the pipeline asks for them, top to
  // bottom, nothing held whole in memory). Only for pipelines that read the
  // image once, in order (Program::streams_input); otherwise the image is
  // decoded for random access.
  bool sequential = false;
};

// Decodes `bytes` (JPEG with GEGL's float IDCT, see jpeg_decode.h; other
// formats with libvips' loaders). The image references a private copy of the
// bytes, so `bytes` may be released afterwards. Errors: kUndecodable
// (unknown/unsupported format, corrupt header), kTooLarge (pixel limit).
Result<Image> decode(std::string_view bytes, const DecodeOptions& options = {});

// Width and height from the header only (no pixel decoding).
struct ImageSize {
  int width = 0;
  int height = 0;
  ImageType type = ImageType::kUnknown;
};
Result<ImageSize> probe(std::string_view bytes);

enum class OutputType { kJpeg, kPng };

// Encodes as the original's savers did: JPEG quality 90, progressive,
// optimised Huffman tables, no chroma subsampling, R'G'B' (alpha dropped, grey
// expanded); PNG 8-bit, compression 9, colour type from the image's model
// (Y', Y'A, R'G'B', R'G'B'A). Metadata is stripped. Evaluation honours `stop`.
Result<std::string> encode(const Image& image, OutputType type, const Stop& stop);

}  // namespace imgflo::runtime
