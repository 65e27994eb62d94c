#include "runtime/codec.h"

#include "runtime/jpeg_decode.h"
#include "runtime/orientation.h"
#include "runtime/save_buffer.h"

#include <algorithm>

namespace imgflo::runtime {

using vips::VImage;

namespace {

Result<Image> tag(const VImage& v) {
  PixelFormat f;
  f.trc = Trc::kPerceptual;
  f.premultiplied = false;
  switch (v.format()) {
    case VIPS_FORMAT_UCHAR: f.depth = Depth::kU8; break;
    case VIPS_FORMAT_USHORT: f.depth = Depth::kU16; break;
    default: return Error(ErrorKind::kUndecodable, "unsupported sample format in input image");
  }
  switch (v.bands()) {
    case 1: f.model = Model::kY; break;
    case 2: f.model = Model::kYA; break;
    case 3: f.model = Model::kRGB; break;
    case 4: f.model = Model::kRGBA; break;
    default: return Error(ErrorKind::kUndecodable, "unsupported number of channels in input image");
  }
  return Image{v, f, 0, 0};
}

// Decoded pixels as the graph sees them: sRGB, upright, tagged.
Result<Image> normalise(const VImage& decoded, int orientation, ColourManagement colour) {
  try {
    return tag(apply_orientation(to_srgb(decoded, colour), orientation));
  } catch (const vips::VError&) {
    return Error(ErrorKind::kUndecodable, "input image could not be decoded");
  }
}

// The upright size of a stored w x h image.
ImageSize upright(int width, int height, ImageType type, int orientation) {
  return swaps_axes(orientation) ? ImageSize{height, width, type, orientation}
                                 : ImageSize{width, height, type, orientation};
}

Error too_large(uint64_t pixels, uint64_t limit) {
  return Error(ErrorKind::kTooLarge,
               "input image has " + std::to_string(pixels) + " pixels, over the limit of " + std::to_string(limit),
               {{"pixels", pixels}, {"limit", limit}});
}

// The size the pixels will be made at: rasters at full size (the limit is on
// the input, whatever shrink-on-load does), vectors at `vector_scale`.
Result<ImageSize> read_header(std::string_view bytes, double vector_scale) {
  const ImageType type = sniff(bytes);
  if (type == ImageType::kUnknown) {
    return Error(ErrorKind::kUndecodable, "input is not a " + accepted_formats() + " image");
  }
  if (type == ImageType::kJpeg) {
    auto info = read_jpeg_info(bytes);
    if (!info.ok()) return info.take_error();
    return upright(info->width, info->height, type, info->orientation);
  }
  Blob blob(bytes);
  auto v = open_with_libvips(type, blob, {1, vector_scale, true});
  if (!v.ok()) return v.take_error();
  return upright(v->width(), v->height(), type, image_orientation(*v));
}

// The first window of a windowed decode of `size` at `shrink`, in rows.
int jpeg_window_rows_for(const ImageSize& size, int shrink) {
  const size_t row_bytes = 3 * static_cast<size_t>(std::max(size.width / std::max(shrink, 1), 1));
  return static_cast<int>(std::max<size_t>(kJpegWindowMinRows, std::min<size_t>(kJpegWindowBytes / row_bytes, 1 << 20)));
}

// A JPEG streamed (sequential and not small), through a window of rows, or whole (DecodeOptions).
Result<vips::VImage> decode_jpeg_as(std::string_view bytes, const ImageSize& size, const DecodeOptions& options,
                                    bool sequential) {
  const bool small = shrunk_jpeg_bytes(size.width, size.height, 3, options.shrink) <= options.small_jpeg_bytes;
  if (sequential && !small) return stream_jpeg(bytes, options.shrink);
  if (!sequential && options.windowed && !reorders_rows(size.orientation)) {
    return window_jpeg(bytes, options.shrink, options.stop, jpeg_window_rows_for(size, options.shrink));
  }
  return decode_jpeg(bytes, options.shrink, options.stop);
}

}  // namespace

uint64_t shrunk_jpeg_bytes(int width, int height, int bands, int shrink) {
  const int by = std::max(shrink, 1);
  const auto side = [by](int n) { return static_cast<uint64_t>((std::max(n, 0) + by - 1) / by); };
  return side(width) * side(height) * static_cast<uint64_t>(std::max(bands, 1));
}

double vector_scale(int in_w, int in_h, double out_w, double out_h) {
  return std::max(out_w / std::max(in_w, 1), out_h / std::max(in_h, 1));
}

Result<Image> normalise_decoded(vips::VImage v) { return tag(std::move(v)); }

Result<ImageSize> probe(std::string_view bytes) { return read_header(bytes, 1.0); }

Result<Image> decode(std::string_view bytes, const DecodeOptions& options) {
  auto size = read_header(bytes, options.scale);
  if (!size.ok()) return size.take_error();
  const uint64_t pixels = static_cast<uint64_t>(size->width) * static_cast<uint64_t>(size->height);
  const uint64_t limit = pixel_limit(size->type, options.limits);
  if (pixels > limit) return too_large(pixels, limit);
  // A rotated or flipped-over image is not produced top to bottom.
  const bool sequential = options.sequential && !reorders_rows(size->orientation);
  const ColourManagement colour = options.limits.colour;
  if (size->type == ImageType::kJpeg) {
    auto v = decode_jpeg_as(bytes, *size, options, sequential);
    if (!v.ok()) return v.take_error();
    return normalise(*v, size->orientation, colour);
  }
  try {
    Blob blob(bytes);
    auto v = open_with_libvips(size->type, blob, {options.shrink, options.scale, sequential});
    if (!v.ok()) return v.take_error();
    return normalise(*v, size->orientation, colour);
  } catch (const vips::VError&) {
    return Error(ErrorKind::kUndecodable, "input image could not be decoded");
  }
}

bool progressive_jpeg(int width, int height, uint64_t jpeg_baseline_above) {
  const uint64_t pixels = static_cast<uint64_t>(std::max(width, 0)) * static_cast<uint64_t>(std::max(height, 0));
  return jpeg_baseline_above == 0 || pixels <= jpeg_baseline_above;
}

Result<std::string> encode(const Image& image, OutputType type, const Stop& stop, int jpeg_quality,
                           uint64_t jpeg_baseline_above) {
  const bool png = type == OutputType::kPng;
  PixelFormat target = fmt::kRpGpBpU8;
  if (png) target.model = image.format.model;
  const VImage out = convert(image, target).pixels;
  if (png) {
    return save_to_string(
        out, ".png",
        [] {
          return VImage::option()->set("compression", 9)->set("bitdepth", 8)->set("strip", true)->set("interlace",
                                                                                                       false);
        },
        stop, "encoding PNG");
  }
  JpegSettings settings;
  settings.quality = jpeg_quality;
  // Optimised Huffman tables need the same whole-image buffer (two passes).
  settings.progressive = settings.optimize_coding = progressive_jpeg(out.width(), out.height(), jpeg_baseline_above);
  return encode_jpeg_pixels(out, settings, stop);
}

Result<std::string> encode_jpeg_pixels(const VImage& rgb, const JpegSettings& settings, const Stop& stop) {
  return save_to_string(
      rgb, ".jpg",
      [&] {
        return VImage::option()
            ->set("Q", settings.quality)
            ->set("interlace", settings.progressive)
            ->set("optimize_coding", settings.optimize_coding)
            ->set("subsample_mode", settings.subsample)
            ->set("strip", true);
      },
      stop, "encoding JPEG");
}

}  // namespace imgflo::runtime
