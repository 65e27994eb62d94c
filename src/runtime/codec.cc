#include "runtime/codec.h"

#include "runtime/jpeg_decode.h"
#include "runtime/vips_eval.h"

#include <glib.h>

#include <cstring>

namespace imgflo::runtime {

using vips::VImage;

ImageType sniff(std::string_view b) {
  auto starts = [&](std::string_view magic, size_t at = 0) {
    return b.size() >= at + magic.size() && b.substr(at, magic.size()) == magic;
  };
  if (starts("\xFF\xD8\xFF")) return ImageType::kJpeg;
  if (starts("\x89PNG\r\n\x1A\n")) return ImageType::kPng;
  if (starts("GIF87a") || starts("GIF89a")) return ImageType::kGif;
  if (starts("RIFF") && starts("WEBP", 8)) return ImageType::kWebp;
  return ImageType::kUnknown;
}

std::string_view type_extension(ImageType t) {
  switch (t) {
    case ImageType::kJpeg: return "jpg";
    case ImageType::kPng: return "png";
    case ImageType::kGif: return "gif";
    case ImageType::kWebp: return "webp";
    case ImageType::kUnknown: break;
  }
  return "";
}

namespace {

// Owns a VipsBlob holding a copy of the input bytes.
class Blob {
 public:
  explicit Blob(std::string_view bytes) : blob_(vips_blob_copy(bytes.data(), bytes.size())) {}
  ~Blob() { vips_area_unref(VIPS_AREA(blob_)); }
  Blob(const Blob&) = delete;
  Blob& operator=(const Blob&) = delete;
  VipsBlob* get() const { return blob_; }

 private:
  VipsBlob* blob_;
};

// Non-JPEG formats through libvips' loaders (lazy: only the header is read here).
// Random access unless the pipeline streams: graphs may read their input more
// than once (nop feeding two branches), and ops that need whole lines or
// columns (blur, Sobel) read all rows before a lazy branch reads them again; a
// sequential loader fails that second pass with "out of order read".
VImage load_header(ImageType type, const Blob& blob, int shrink, bool sequential) {
  auto* opt = VImage::option()
                  ->set("fail_on", VIPS_FAIL_ON_TRUNCATED)
                  ->set("access", sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM);
  switch (type) {
    case ImageType::kPng: return VImage::pngload_buffer(blob.get(), opt);
    case ImageType::kGif: return VImage::gifload_buffer(blob.get(), opt->set("n", 1));
    case ImageType::kWebp:
      if (shrink > 1) opt->set("scale", 1.0 / shrink);
      return VImage::webpload_buffer(blob.get(), opt);
    case ImageType::kJpeg:
    case ImageType::kUnknown: break;
  }
  throw vips::VError("unsupported image type");
}

// Naive CMYK -> RGB as GEGL 0.3.10's jpg-load did: R = (255 - C)(255 - K) / 255.
// libvips has already undone Adobe inversion, so 0 means "no ink".
VImage cmyk_to_rgb(const VImage& cmyk) {
  const VImage ink = cmyk.extract_band(0, VImage::option()->set("n", 3)).cast(VIPS_FORMAT_FLOAT);
  const VImage k = cmyk.extract_band(3).cast(VIPS_FORMAT_FLOAT);
  const VImage rgb = ((255.0 - ink) * (255.0 - k)) / 255.0;
  return (rgb + 0.5).cast(VIPS_FORMAT_UCHAR);
}

Result<Image> tag(VImage v) {
  const int bands = v.bands();
  if (v.interpretation() == VIPS_INTERPRETATION_CMYK && bands >= 4) v = cmyk_to_rgb(v);
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

Error too_large(uint64_t pixels, uint64_t limit) {
  return Error(ErrorKind::kTooLarge,
               "input image has " + std::to_string(pixels) + " pixels, over the limit of " + std::to_string(limit),
               {{"pixels", pixels}, {"limit", limit}});
}

}  // namespace

Result<ImageSize> probe(std::string_view bytes) {
  const ImageType type = sniff(bytes);
  if (type == ImageType::kUnknown) {
    return Error(ErrorKind::kUndecodable, "input is not a JPEG, PNG, GIF or WebP image");
  }
  if (type == ImageType::kJpeg) {
    auto info = read_jpeg_info(bytes);
    if (!info.ok()) return info.take_error();
    return ImageSize{info->width, info->height, type};
  }
  try {
    Blob blob(bytes);
    VImage v = load_header(type, blob, 1, true);
    return ImageSize{v.width(), v.height(), type};
  } catch (const vips::VError&) {
    return Error(ErrorKind::kUndecodable, "input image header is corrupt");
  }
}

Result<Image> decode(std::string_view bytes, const DecodeOptions& options) {
  auto size = probe(bytes);
  if (!size.ok()) return size.take_error();
  const uint64_t pixels = static_cast<uint64_t>(size->width) * static_cast<uint64_t>(size->height);
  if (pixels > options.limits.max_pixels) return too_large(pixels, options.limits.max_pixels);
  if (size->type == ImageType::kJpeg) {
    auto v = options.sequential ? stream_jpeg(bytes, options.shrink)
                                : decode_jpeg(bytes, options.shrink, options.stop);
    if (!v.ok()) return v.take_error();
    return tag(std::move(*v));
  }
  try {
    Blob blob(bytes);
    return tag(load_header(size->type, blob, options.shrink, options.sequential));
  } catch (const vips::VError&) {
    return Error(ErrorKind::kUndecodable, "input image could not be decoded");
  }
}

Result<std::string> encode(const Image& image, OutputType type, const Stop& stop) {
  const bool png = type == OutputType::kPng;
  PixelFormat target = fmt::kRpGpBpU8;
  if (png) target.model = image.format.model;
  const VImage out = convert(image, target).pixels;
  void* buf = nullptr;
  size_t len = 0;
  Status st = evaluate(out, stop, png ? "encoding PNG" : "encoding JPEG", [&] {
    if (png) {
      out.write_to_buffer(".png", &buf, &len,
                          VImage::option()->set("compression", 9)->set("bitdepth", 8)->set("strip", true)->set(
                              "interlace", false));
    } else {
      out.write_to_buffer(".jpg", &buf, &len,
                          VImage::option()
                              ->set("Q", 90)
                              ->set("interlace", true)
                              ->set("optimize_coding", true)
                              ->set("subsample_mode", VIPS_FOREIGN_SUBSAMPLE_OFF)
                              ->set("strip", true));
    }
  });
  if (!st.ok()) return st.take_error();
  std::string bytes(static_cast<const char*>(buf), len);
  g_free(buf);
  return bytes;
}

}  // namespace imgflo::runtime
