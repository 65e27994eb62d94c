#include "runtime/loaders.h"

#include "runtime/magic.h"

#include <algorithm>
#include <array>

namespace imgflo::runtime {

using vips::VImage;
using vips::VOption;

namespace {

using LoadFn = VImage (*)(VipsBlob*, VOption*, const LoadHints&);

VImage load_png(VipsBlob* b, VOption* o, const LoadHints&) { return VImage::pngload_buffer(b, o); }
VImage load_gif(VipsBlob* b, VOption* o, const LoadHints&) { return VImage::gifload_buffer(b, o->set("n", 1)); }
VImage load_webp(VipsBlob* b, VOption* o, const LoadHints& h) {
  if (h.shrink > 1) o->set("scale", 1.0 / h.shrink);
  return VImage::webpload_buffer(b, o);
}
// No page or n: libvips then reads the primary image; never its thumbnail.
VImage load_heif(VipsBlob* b, VOption* o, const LoadHints&) {
  return VImage::heifload_buffer(b, o->set("thumbnail", false));
}
VImage load_jxl(VipsBlob* b, VOption* o, const LoadHints&) { return VImage::jxlload_buffer(b, o); }
VImage load_tiff(VipsBlob* b, VOption* o, const LoadHints&) {
  return VImage::tiffload_buffer(b, o->set("page", 0)->set("n", 1));
}
VImage load_svg(VipsBlob* b, VOption* o, const LoadHints& h) {
  return VImage::svgload_buffer(b, o->set("scale", std::clamp(h.scale, 0.001, 100000.0))->set("unlimited", false));
}

bool isobmff_heif(std::string_view b) { return isobmff_image(b) == IsoBmffImage::kHeif; }
bool isobmff_avif(std::string_view b) { return isobmff_image(b) == IsoBmffImage::kAvif; }

struct Format {
  ImageType type;
  std::string_view name;       // in the public list of accepted formats
  std::string_view extension;  // type_extension()
  bool (*matches)(std::string_view bytes);
  LoadFn load;                 // nullptr: JPEG, read by jpeg_decode.h
  const char* vips_loader;     // libvips class left unblocked by restrict_vips_loaders()
  uint64_t DecodeLimits::*limit;
};

// The allow-list. Order matters only for sniffing, and signatures do not overlap.
constexpr std::array<Format, 9> kFormats = {{
    {ImageType::kJpeg, "JPEG", "jpg", is_jpeg, nullptr, "VipsForeignLoadJpeg", &DecodeLimits::max_pixels},
    {ImageType::kPng, "PNG", "png", is_png, load_png, "VipsForeignLoadPng", &DecodeLimits::max_pixels},
    {ImageType::kGif, "GIF", "gif", is_gif, load_gif, "VipsForeignLoadNsgif", &DecodeLimits::max_pixels},
    {ImageType::kWebp, "WebP", "webp", is_webp, load_webp, "VipsForeignLoadWebp", &DecodeLimits::max_pixels},
    {ImageType::kHeif, "HEIC/HEIF", "heic", isobmff_heif, load_heif, "VipsForeignLoadHeif", &DecodeLimits::max_pixels},
    {ImageType::kAvif, "AVIF", "avif", isobmff_avif, load_heif, "VipsForeignLoadHeif", &DecodeLimits::max_pixels},
    {ImageType::kJxl, "JPEG XL", "jxl", is_jxl, load_jxl, "VipsForeignLoadJxlBuffer", &DecodeLimits::max_pixels},
    {ImageType::kTiff, "TIFF", "tif", is_tiff, load_tiff, "VipsForeignLoadTiff", &DecodeLimits::max_pixels},
    {ImageType::kSvg, "SVG", "svg", is_svg, load_svg, "VipsForeignLoadSvgBuffer", &DecodeLimits::max_vector_pixels},
}};

const Format* format_of(ImageType t) {
  for (const auto& f : kFormats) {
    if (f.type == t) return &f;
  }
  return nullptr;
}

std::string list_formats() {
  std::string out;
  for (size_t i = 0; i < kFormats.size(); ++i) {
    if (i > 0) out += i + 1 == kFormats.size() ? " or " : ", ";
    out += kFormats[i].name;
  }
  return out;
}

// libvips stores an SVG side beyond VIPS_MAX_COORD as 1 pixel (the property
// setter refuses the value, GLib warns). A real side of 1 pixel (0.5 to 1.5
// units) is at least 2 pixels when drawn 4 times larger; one that stays at 1
// was beyond the range.
bool beyond_coordinate_range(VipsBlob* blob, const VImage& header, const LoadHints& hints) {
  if (header.width() > 1 && header.height() > 1) return false;
  LoadHints larger = hints;
  larger.scale = hints.scale * 4;
  try {
    const VImage drawn = load_svg(blob, VImage::option(), larger);
    return (header.width() == 1 && drawn.width() == 1) || (header.height() == 1 && drawn.height() == 1);
  } catch (const vips::VError&) {
    return false;  // the header at scale 1 was readable: let its own checks decide
  }
}

}  // namespace

ImageType sniff(std::string_view bytes) {
  for (const auto& f : kFormats) {
    if (f.matches(bytes)) return f.type;
  }
  return ImageType::kUnknown;
}

std::string_view type_extension(ImageType t) {
  const Format* f = format_of(t);
  return f ? f->extension : std::string_view();
}

const std::string& accepted_formats() {
  static const std::string list = list_formats();
  return list;
}

bool is_vector(ImageType t) { return t == ImageType::kSvg; }

uint64_t pixel_limit(ImageType t, const DecodeLimits& limits) {
  const Format* f = format_of(t);
  return f ? std::min(limits.max_pixels, limits.*(f->limit)) : limits.max_pixels;
}

Blob::Blob(std::string_view bytes) : blob_(vips_blob_copy(bytes.data(), bytes.size())) {}
Blob::~Blob() { vips_area_unref(VIPS_AREA(blob_)); }

Result<VImage> open_with_libvips(ImageType type, const Blob& blob, const LoadHints& hints) {
  const Format* f = format_of(type);
  if (!f || !f->load) return Error(ErrorKind::kUndecodable, "input is not a " + accepted_formats() + " image");
  try {
    VOption* opt = VImage::option()
                       ->set("fail_on", VIPS_FAIL_ON_TRUNCATED)
                       ->set("access", hints.sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM);
    VImage v = f->load(blob.get(), opt, hints);
    if (is_vector(type) && beyond_coordinate_range(blob.get(), v, hints)) {
      return Error(ErrorKind::kTooLarge, "input SVG declares a size beyond " + std::to_string(VIPS_MAX_COORD) +
                                             " pixels on a side");
    }
    return v;
  } catch (const vips::VError&) {
    return Error(ErrorKind::kUndecodable, "input image header is corrupt");
  }
}

void restrict_vips_loaders() {
  vips_operation_block_set("VipsForeignLoad", TRUE);
  for (const auto& f : kFormats) vips_operation_block_set(f.vips_loader, FALSE);
}

}  // namespace imgflo::runtime
