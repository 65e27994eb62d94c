// Fuzz target "image": input image bytes through our loaders.
//
// runtime::sniff, runtime::probe and runtime::decode with a 4 MP limit (1 MP for SVG) for
// every allow-listed format (JPEG through our libjpeg reader with GEGL's float IDCT; PNG,
// GIF, WebP, HEIC/AVIF, JPEG XL, TIFF and SVG through their libvips loaders; seeds of each
// in corpus/image/), then the pixels of a small region of the decoded image are computed by
// encoding it as PNG (runtime::encode, the service's own evaluation path), so lazily decoded
// formats really decode. The decode options (random access, streaming or a JPEG row window, shrink-on-load
// factor, the scale an SVG is drawn at) depend on the input's length.
// Errors are serialised as the service would answer them.
#include "fuzz_support.h"

#include "runtime/codec.h"

#include <algorithm>

using namespace imgflo;

extern "C" int LLVMFuzzerInitialize(int*, char*** argv) {
  fuzz::init((*argv)[0]);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = fuzz::as_text(data, size);
  const runtime::ImageType type = runtime::sniff(bytes);
  (void)runtime::type_extension(type);

  auto size_info = runtime::probe(bytes);
  if (!size_info.ok()) {
    fuzz::check_error(size_info.error());
  } else if (size_info->type != type || size_info->width <= 0 || size_info->height <= 0) {
    fuzz::fail("probe returned an impossible size or another type than sniff");
  }

  runtime::DecodeOptions options;
  options.limits.max_pixels = 4'000'000;
  options.limits.max_vector_pixels = 1'000'000;
  options.sequential = size % 2 == 1;
  options.shrink = 1 + static_cast<int>((size / 2) % 3);
  options.scale = 0.5 * static_cast<double>(1 + (size / 6) % 4);  // 0.5, 1, 1.5, 2
  options.windowed = (size / 24) % 2 == 1;  // JPEG rows through a window (window_jpeg)
  options.stop.deadline = Deadline::after(std::chrono::seconds(10));
  auto image = runtime::decode(bytes, options);
  if (!image.ok()) {
    fuzz::check_error(image.error());
    return 0;
  }
  // An SVG side beyond libvips' range at its intrinsic size (probe: kTooLarge) may fit when drawn smaller.
  if (!size_info.ok() && size_info.error().kind() != ErrorKind::kTooLarge) {
    fuzz::fail("decode succeeded where probe failed");
  }
  if (image->width() <= 0 || image->height() <= 0) fuzz::fail("decoded an empty image");
  if (image->pixels.bands() != image->format.bands()) fuzz::fail("decoded image bands do not match its format");

  runtime::Image region = *image;
  region.pixels = image->pixels.extract_area(0, 0, std::min(image->width(), 24), std::min(image->height(), 24));
  auto png = runtime::encode(region, runtime::OutputType::kPng, options.stop);
  if (!png.ok()) fuzz::check_error(png.error());
  return 0;
}
