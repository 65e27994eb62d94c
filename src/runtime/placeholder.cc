#include "runtime/placeholder.h"

#include "core/json.h"
#include "runtime/codec.h"
#include "runtime/frame_encode.h"
#include "runtime/shrink_on_load.h"
#include "runtime/vips_eval.h"
#include "runtime/webp_container.h"

#include <glib.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace imgflo::runtime {

namespace {

// The upright input's size and what the request reports as width x height.
struct Sizes {
  ImageSize input;
  int width = 0;
  int height = 0;
};

Result<Sizes> plan_sizes(std::string_view bytes, const RescaleRequest& rr, const DecodeLimits& limits) {
  auto size = probe(bytes);
  if (!size.ok()) return size.take_error();
  Sizes s{*size, size->width, size->height};
  if (rr.active()) {
    auto plan = plan_rescale(size->width, size->height, rr, limits.max_pixels);
    if (!plan.ok()) return plan.take_error();
    s.width = plan->box_width;  // the size after fit (cover/contain: the box)
    s.height = plan->box_height;
  }
  return s;
}

// An image of w x h resized so its longest side is at most `side`.
vips::VImage fit_within(const vips::VImage& img, int side) {
  const int longest = std::max(img.width(), img.height());
  if (longest <= side) return img;
  const double sx = std::max(1, static_cast<int>(static_cast<double>(img.width()) * side / longest)) /
                    static_cast<double>(img.width());
  const double sy = std::max(1, static_cast<int>(static_cast<double>(img.height()) * side / longest)) /
                    static_cast<double>(img.height());
  return img.resize(sx, vips::VImage::option()->set("vscale", sy)->set("kernel", VIPS_KERNEL_LINEAR));
}

// The input decoded (shrunk on load where the format allows) and resized to
// the working copy: premultiplied linear RGBA float, computed into memory.
struct Work {
  Image image;
  bool alpha = false;  // whether the input has an alpha channel
};

Result<Work> working_copy(std::string_view bytes, const ImageSize& in, const DecodeLimits& limits, const Stop& stop) {
  const int longest = std::max(in.width, in.height);
  RescaleRequest toward;
  (in.width >= in.height ? toward.width : toward.height) = std::min(longest, kPlaceholderWorkSide);
  auto plan = plan_rescale(in.width, in.height, toward, limits.max_pixels);
  if (!plan.ok()) return plan.take_error();
  DecodeOptions options{limits, shrink_on_load_factor(in.type, in.width, in.height, *plan), stop, true,
                        vector_scale(in.width, in.height, plan->exact_width, plan->exact_height)};
  auto decoded = decode(bytes, options);
  if (!decoded.ok()) return decoded.take_error();
  const Image linear = convert(*decoded, fmt::kRaGaBaAFloat);
  Image work{fit_within(linear.pixels, kPlaceholderWorkSide), fmt::kRaGaBaAFloat};
  Status st = evaluate(work.pixels, stop, "decoding the input", [&] { work.pixels = work.pixels.copy_memory(); });
  if (!st.ok()) {
    if (st.error().kind() != ErrorKind::kProcessingFailed) return st.take_error();
    return Error(ErrorKind::kUndecodable, "input image is truncated or corrupt");
  }
  return Work{work, decoded->format.has_alpha()};
}

// The pixels of a small image, computed.
std::vector<uint8_t> memory_bytes(const vips::VImage& img) {
  size_t size = 0;
  std::unique_ptr<void, decltype(&g_free)> mem(img.write_to_memory(&size), g_free);
  const auto* p = static_cast<const uint8_t*>(mem.get());
  return std::vector<uint8_t>(p, p + size);
}

// The working copy over white, as sRGB 8-bit RGB bytes.
std::vector<uint8_t> over_white(const Image& work) {
  const vips::VImage rgb = colour_bands(work) + (1.0 - alpha_band(work));
  return memory_bytes(convert(Image{rgb, fmt::kRGBFloat}, fmt::kRpGpBpU8).pixels);
}

// The working copy at most kLqipSide pixels on its longest side, 8-bit, as a
// fresh image with pixels only: libvips 8.14's webpsave writes the EXIF
// fields an image carries even with strip set, and in a data URL every byte
// shows.
Image lqip_pixels(const Image& work, bool alpha) {
  const PixelFormat format = alpha ? fmt::kRpGpBpAU8 : fmt::kRpGpBpU8;
  const Image small = convert(Image{fit_within(work.pixels, kLqipSide), fmt::kRaGaBaAFloat}, format);
  size_t size = 0;
  void* mem = small.pixels.write_to_memory(&size);  // g_malloc'd; the new image owns it
  return Image{vips::VImage::new_from_memory_steal(mem, size, small.width(), small.height(), small.pixels.bands(),
                                                   VIPS_FORMAT_UCHAR),
               format};
}

}  // namespace

Result<Placeholder> make_placeholder(std::string_view input, const PlaceholderRequest& request,
                                     const DecodeLimits& limits, const Stop& stop) {
  auto sizes = plan_sizes(input, request.rescale, limits);
  if (!sizes.ok()) return sizes.take_error();
  auto work = working_copy(input, sizes->input, limits, stop);
  if (!work.ok()) return work.take_error();
  Placeholder p;
  p.width = sizes->width;
  p.height = sizes->height;
  Image lqip_image;
  try {
    const std::vector<uint8_t> rgb = over_white(work->image);
    const RgbView view{rgb.data(), work->image.width(), work->image.height()};
    p.blurhash = encode_blurhash(view, request.x_components, request.y_components);
    p.dominant = dominant_colour(view);
    lqip_image = lqip_pixels(work->image, work->alpha);
  } catch (const vips::VError&) {
    return Error(ErrorKind::kProcessingFailed, "making the placeholder failed");
  }
  auto lqip = encode_frames({lqip_image}, FrameFormat::kWebp, {}, stop);
  if (!lqip.ok()) return lqip.take_error();
  p.lqip_webp = strip_webp_metadata(*lqip);
  return p;
}

std::string placeholder_json(const Placeholder& p) {
  std::unique_ptr<gchar, decltype(&g_free)> b64(
      g_base64_encode(reinterpret_cast<const guchar*>(p.lqip_webp.data()), p.lqip_webp.size()), g_free);
  nlohmann::ordered_json j = {{"blurhash", p.blurhash},
                              {"dominant", hex_colour(p.dominant)},
                              {"width", p.width},
                              {"height", p.height},
                              {"lqip", std::string("data:image/webp;base64,") + b64.get()}};
  return dump_json(j);
}

}  // namespace imgflo::runtime
