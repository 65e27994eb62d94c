// Colour management: decoded pixels are brought to sRGB before the graph.
//
// ColourManagement::kIcc (the default): an embedded ICC profile
// ("icc-profile-data", attached by every loader, our JPEG decoder included)
// converts the image to sRGB in one transform from the device space straight
// to sRGB (no 8-bit Lab in between), keeping the depth: u8 stays u8, u16
// stays u16. Alpha is kept. Which code does it:
//   - a copy of sRGB (runtime/srgb_profile.h): nothing, the pixels are kept;
//   - 8-bit RGB(A) with an RGB matrix/TRC profile (Adobe RGB, ProPhoto, P3,
//     ...): runtime/matrix_to_srgb.h, tables + one 3x3 matrix, ~4 ns a
//     pixel, within one level of lcms (bench/inputs.sh: Adobe RGB costs
//     ~1.1x an untagged photo);
//   - everything else (LUT profiles, CMYK, grey, 16-bit, implausible matrix
//     profiles): lcms through libvips' icc_transform, ~13 ns a pixel.
//   Rendering intent: relative colorimetric, without black point
//   compensation (libvips' and lcms' default). An embedded profile says how
//   the pixels were made from colorimetric values, and encoders (libvips,
//   lcms, most editors' exports) convert into it with this intent: undoing it
//   with the same intent brings every colour sRGB can show back where it was,
//   only out-of-gamut colours clip. Photo profiles (Adobe RGB, ProPhoto,
//   Display P3, Wide Gamut) are matrix/TRC profiles without perceptual tables,
//   so "perceptual" would be colorimetric anyway; black point compensation is
//   a no-op for them (black is 0) and, for CMYK, measurably moves a file made
//   without it away from its source (mean dE76 3.4 instead of 2.0 on the test
//   corpus), so it is off.
//   Images without a profile are sRGB; CMYK without a profile keeps the
//   original's naive formula. A profile that lcms cannot read, or that does
//   not match the pixels (a CMYK profile on RGB, ...), is ignored with a
//   warning in the log: the request never fails because of it.
// ColourManagement::kLegacy: profiles are ignored, as the original did
// (its reference regcheck_cmyk_jpeg is made from a CMYK JPEG with a profile
// converted by the naive formula; in kIcc that case differs on purpose).
//
// Grey images with a grey profile stay grey (the sRGB result's G channel).
#pragma once

#include <vips/vips8>

#include <optional>
#include <string_view>

namespace imgflo::runtime {

enum class ColourManagement { kIcc, kLegacy };

// "icc" / "legacy", the values of IMGFLO_COLOR_MANAGEMENT; nullopt for anything else.
std::optional<ColourManagement> parse_colour_management(std::string_view text);
std::string_view colour_management_name(ColourManagement mode);

// The decoded image in sRGB (R'G'B'(A) or Y'(A), same depth as decoded, or u8
// for CMYK). Never throws: a failing conversion falls back as described above.
vips::VImage to_srgb(const vips::VImage& decoded, ColourManagement mode);

}  // namespace imgflo::runtime
