// Real-world test inputs, built at test time from the bundled examples with
// the real tools (vips CLI, exiftool) and Debian's ICC profiles:
// EXIF-oriented JPEGs, images with embedded profiles, CMYK with and without
// a profile, 16-bit PNG, and "truth" images to judge the results against.
// Files are made once per test process, in a scratch folder; every builder
// throws std::runtime_error when a tool fails (a test failure, never a skip).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace imgflo::test::corpus {

namespace fs = std::filesystem;

// Runs `argv` (no shell); throws with the command line when it exits non-zero.
void run_tool(const std::vector<std::string>& argv);

// The upright sRGB truth: examples/mountains.png halved (720 x 500), PNG, no metadata.
fs::path upright_png();

// The truth stored as a camera would for EXIF orientation `o` (1-8): pixels
// transformed so that displaying them with the tag gives upright_png(), as
// `ext` "jpg" (quality 95), "png" (eXIf chunk) or "webp" (lossless), the
// Orientation tag written by exiftool.
fs::path oriented(int o, const std::string& ext = "jpg");

// `vips autorot` of oriented(o, "jpg"), as PNG: libvips' own correct handling.
fs::path vips_autorot(int o);

// An ICC profile file: "AdobeRGB1998", "ProPhotoRGB", "WideGamutRGB" (colord),
// "Gray" (icc-profiles-free).
fs::path profile(const std::string& name);

// upright_png() converted into `profile_name`'s space with that profile
// embedded; `ext` "jpg" (quality 95) or "png".
fs::path tagged(const std::string& profile_name, const std::string& ext);

// upright_png() as CMYK JPEG (libvips' built-in CMYK profile), profile embedded.
fs::path cmyk_jpeg_with_profile();

// libvips' own conversion of `input` to sRGB with its embedded profile
// (icc_transform, relative intent), as PNG.
fs::path vips_to_srgb(const fs::path& input);

// A 16-bit RGB PNG with all 16 bits used (a blurred upright_png(), scaled to
// 0-65535 with values between the 8-bit levels), its exact 8-bit truth
// round(v * 255 / 65535), and libvips' own 16 -> 8 bit conversion.
fs::path png16();
fs::path png16_truth();
fs::path png16_vips();

// upright_png() as grey (1 band) JPEG, and as grey PNG with the Gray profile.
fs::path grey_jpeg();
fs::path grey_png_with_profile();

}  // namespace imgflo::test::corpus
