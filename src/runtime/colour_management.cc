#include "runtime/colour_management.h"

#include "runtime/matrix_to_srgb.h"
#include "runtime/srgb_profile.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <utility>
#include <string_view>

namespace imgflo::runtime {

using vips::VImage;

namespace {

bool is_cmyk(const VImage& v) { return v.interpretation() == VIPS_INTERPRETATION_CMYK && v.bands() >= 4; }

// Naive CMYK -> RGB as GEGL 0.3.10's jpg-load did: R = (255 - C)(255 - K) / 255.
// Decoders have already undone Adobe inversion, so 0 means "no ink".
VImage naive_cmyk_to_rgb(const VImage& cmyk) {
  const VImage ink = cmyk.extract_band(0, VImage::option()->set("n", 3)).cast(VIPS_FORMAT_FLOAT);
  const VImage k = cmyk.extract_band(3).cast(VIPS_FORMAT_FLOAT);
  const VImage rgb = ((255.0 - ink) * (255.0 - k)) / 255.0;
  return (rgb + 0.5).cast(VIPS_FORMAT_UCHAR);
}

// Whether the profile's data colour space (header bytes 16-19) is the one of
// the pixels: RGB on 3 (+ alpha) bands, GRAY on 1 (+ alpha), CMYK on CMYK.
bool fits_pixels(const void* data, size_t length, const VImage& v) {
  constexpr size_t kHeaderSize = 128;
  if (length < kHeaderSize) return false;
  const std::string_view space(static_cast<const char*>(data) + 16, 4);
  if (space == "CMYK") return is_cmyk(v);
  if (is_cmyk(v)) return false;
  if (space == "RGB ") return v.bands() == 3 || v.bands() == 4;
  if (space == "GRAY") return v.bands() == 1 || v.bands() == 2;
  return false;
}

// The embedded profile, when there is one.
std::optional<std::pair<const void*, size_t>> embedded_profile(const VImage& v) {
  if (v.get_typeof(VIPS_META_ICC_NAME) != VIPS_TYPE_BLOB) return std::nullopt;
  size_t length = 0;
  const void* data = v.get_blob(VIPS_META_ICC_NAME, &length);
  return std::make_pair(data, length);
}

VImage without_profile(const VImage& v) {
  VImage out = v.copy();  // private metadata: results of libvips operations are cached and shared
  out.remove(VIPS_META_ICC_NAME);
  return out;
}

// RGB pixels tagged with (a copy of) sRGB: converting them would change nothing.
bool tagged_srgb(const VImage& v) {
  const auto profile = embedded_profile(v);
  return profile && fits_pixels(profile->first, profile->second, v) &&
         is_srgb_equivalent(profile->first, profile->second);
}

// The embedded profile when lcms can use it on these pixels.
bool usable_profile(const VImage& v) {
  const auto profile = embedded_profile(v);
  if (!profile) return false;
  const auto [data, length] = *profile;
  if (fits_pixels(data, length, v) && vips_icc_is_compatible_profile(v.get_image(), data, length)) return true;
  vips_error_clear();
  spdlog::warn("input image: ignoring an embedded ICC profile ({} bytes) that is unreadable or does not match its "
               "{} bands",
               length, v.bands());
  return false;
}

// Grey in, grey out: the G channel of the sRGB result, plus alpha.
VImage keep_grey(const VImage& rgb, int decoded_bands) {
  const VImage g = rgb.extract_band(1);
  return decoded_bands == 2 ? VImage::bandjoin({g, rgb.extract_band(3)}) : g;
}

// 8-bit RGB(A) under a matrix/TRC profile: the fast exact path
// (runtime/matrix_to_srgb.h); nullopt for everything else.
std::optional<VImage> matrix_to_srgb(const VImage& v) {
  if (v.format() != VIPS_FORMAT_UCHAR || (v.bands() != 3 && v.bands() != 4) || is_cmyk(v)) return std::nullopt;
  const auto profile = embedded_profile(v);
  const auto conversion = profile ? MatrixToSrgb::from_profile(profile->first, profile->second) : std::nullopt;
  if (!conversion) return std::nullopt;
  return conversion->apply(v);
}

std::optional<VImage> icc_to_srgb(const VImage& v) {
  if (!usable_profile(v)) return std::nullopt;
  const bool u16 = v.format() == VIPS_FORMAT_USHORT && !is_cmyk(v);
  try {
    if (auto fast = matrix_to_srgb(v)) return without_profile(*fast);
    VImage out = v.icc_transform("srgb", VImage::option()
                                             ->set("embedded", true)
                                             ->set("intent", VIPS_INTENT_RELATIVE)
                                             ->set("depth", u16 ? 16 : 8));
    if (v.bands() <= 2 && out.bands() >= 3) out = keep_grey(out, v.bands());
    return without_profile(out);
  } catch (const vips::VError& e) {
    spdlog::warn("input image: ICC conversion to sRGB failed, treating the pixels as untagged: {}", e.what());
    return std::nullopt;
  }
}

}  // namespace

std::optional<ColourManagement> parse_colour_management(std::string_view text) {
  if (text == "icc") return ColourManagement::kIcc;
  if (text == "legacy") return ColourManagement::kLegacy;
  return std::nullopt;
}

std::string_view colour_management_name(ColourManagement mode) {
  return mode == ColourManagement::kIcc ? "icc" : "legacy";
}

VImage to_srgb(const VImage& decoded, ColourManagement mode) {
  if (mode == ColourManagement::kIcc) {
    if (tagged_srgb(decoded)) return without_profile(decoded);
    if (auto converted = icc_to_srgb(decoded)) return *converted;
  }
  return is_cmyk(decoded) ? naive_cmyk_to_rgb(decoded) : decoded;
}

}  // namespace imgflo::runtime
