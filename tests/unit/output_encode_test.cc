// Every output type of imgflo and canvas graphs (runtime/output_encode.h,
// canvas/encode.h): the bytes are the type they claim, decode with libvips to
// the image's size, keep alpha where the type can, follow `quality`, and are
// exact with lossless=true where pixels are visible (AVIF within 1: see
// still_encode.h).
#include "canvas/encode.h"
#include "runtime/output_encode.h"
#include "support/paths.h"
#include "support/pixels.h"

#include <vips/vips8>

#include <gtest/gtest.h>

#include <cstdlib>

namespace imgflo::runtime {
namespace {

using vips::VImage;

const std::vector<std::string> kTypes = {"jpg", "png", "gif", "webp", "avif", "jxl"};

// examples/mountains.png cut to 320x200, R'G'B' u8; with `alpha` an alpha ramp is added.
Image photo(bool alpha = false) {
  VImage v = VImage::new_from_file(test::example("mountains.png").c_str()).extract_area(400, 300, 320, 200);
  if (alpha) v = v.bandjoin(VImage::xyz(320, 200)[0].linear(255.0 / 319, 0).cast(VIPS_FORMAT_UCHAR));
  return *normalise_decoded(v.copy_memory());
}

Output encode_ok(const Image& img, const std::string& type, const OutputOptions& o = {}) {
  auto out = encode_output(img, type, o, Stop());
  EXPECT_TRUE(out.ok()) << type << ": " << (out.ok() ? "" : out.error().message());
  return out.ok() ? std::move(*out) : Output{};
}

VImage load(const std::string& bytes) { return VImage::new_from_buffer(bytes.data(), bytes.size(), ""); }

// The libvips loader a file is read with ("jpegload_buffer" ...).
std::string loader(const std::string& bytes) { return load(bytes).get_string("vips-loader"); }

const std::map<std::string, std::string> kLoaders = {
    {"jpg", "jpegload_buffer"}, {"png", "pngload_buffer"}, {"gif", "gifload_buffer"},
    {"webp", "webpload_buffer"}, {"avif", "heifload_buffer"}, {"jxl", "jxlload_buffer"}};

// The largest difference of a sample of `a` from `b`, over the pixels `b`
// shows: colour under fully transparent pixels does not count (libwebp's
// lossless mode may change it; libvips 8.14 has no "exact" option), alpha does.
int max_difference(const test::Pixels& a, const test::Pixels& b) {
  EXPECT_EQ(a.data.size(), b.data.size());
  if (a.data.size() != b.data.size()) return 256;
  int worst = 0;
  for (int y = 0; y < b.height; ++y) {
    for (int x = 0; x < b.width; ++x) {
      const bool hidden = b.bands == 4 && b.at(x, y, 3) == 0;
      for (int band = hidden ? 3 : 0; band < b.bands; ++band) {
        worst = std::max(worst, std::abs(a.at(x, y, band) - b.at(x, y, band)));
      }
    }
  }
  return worst;
}

TEST(OutputEncode, EveryTypeIsWhatItSaysAndKeepsTheSize) {
  const Image img = photo();
  for (const std::string& type : kTypes) {
    const Output out = encode_ok(img, type);
    EXPECT_EQ(out.extension, type);
    EXPECT_EQ(out.content_type, type == "jpg" ? "image/jpeg" : "image/" + type);
    EXPECT_EQ(loader(out.bytes), kLoaders.at(type)) << type;
    EXPECT_EQ(load(out.bytes).width(), 320) << type;
    EXPECT_EQ(load(out.bytes).height(), 200) << type;
  }
  EXPECT_EQ(encode_ok(img, "avif").bytes.substr(4, 8), "ftypavif");  // AV1 in HEIF: an AVIF file
  EXPECT_EQ(encode_ok(img, "jpeg").extension, "jpg");
}

TEST(OutputEncode, OtherTypesAreUnsupported) {
  auto out = encode_output(photo(), "tiff", {}, Stop());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind(), ErrorKind::kUnsupportedType);
  EXPECT_EQ(encoded_output_types(), (std::vector<std::string>{"jpg", "jpeg", "png", "gif", "webp", "avif", "jxl"}));
}

TEST(OutputEncode, DefaultsAreTheDocumentedQualities) {
  const Image img = photo();
  EXPECT_EQ(encode_ok(img, "jpg").bytes, encode_ok(img, "jpg", {90, false}).bytes);
  EXPECT_EQ(encode_ok(img, "jpg").bytes, *encode(img, OutputType::kJpeg, Stop()));  // the original's encoder
  EXPECT_EQ(encode_ok(img, "png").bytes, *encode(img, OutputType::kPng, Stop()));
  EXPECT_EQ(encode_ok(img, "webp").bytes, encode_ok(img, "webp", {80, false}).bytes);
  EXPECT_EQ(encode_ok(img, "avif").bytes, encode_ok(img, "avif", {50, false}).bytes);
  EXPECT_EQ(encode_ok(img, "jxl").bytes, encode_ok(img, "jxl", {75, false}).bytes);
}

TEST(OutputEncode, LowerQualityIsSmaller) {
  const Image img = photo();
  for (const char* type : {"jpg", "webp", "avif", "jxl"}) {
    EXPECT_LT(encode_ok(img, type, {50, false}).bytes.size(), encode_ok(img, type, {95, false}).bytes.size())
        << type;
  }
}

TEST(OutputEncode, LosslessKeepsThePixels) {
  for (bool alpha : {false, true}) {
    const Image img = photo(alpha);
    const test::Pixels png = test::decode_pixels(encode_ok(img, "png").bytes);
    ASSERT_EQ(png.bands, alpha ? 4 : 3);
    EXPECT_EQ(max_difference(test::decode_pixels(encode_ok(img, "webp", {std::nullopt, true}).bytes), png), 0);
    EXPECT_EQ(max_difference(test::decode_pixels(encode_ok(img, "jxl", {std::nullopt, true}).bytes), png), 0);
    EXPECT_LE(max_difference(test::decode_pixels(encode_ok(img, "avif", {std::nullopt, true}).bytes), png), 1);
    // Lossy at the same settings is not exact: the flag is what makes the difference.
    EXPECT_GT(max_difference(test::decode_pixels(encode_ok(img, "webp").bytes), png), 1);
  }
}

TEST(OutputEncode, AlphaIsKeptWhereTheTypeCan) {
  const Image img = photo(true);
  for (const char* type : {"png", "gif", "webp", "avif", "jxl"}) {
    EXPECT_EQ(load(encode_ok(img, type).bytes).bands(), 4) << type;
  }
  EXPECT_EQ(load(encode_ok(img, "jpg").bytes).bands(), 3);
}

TEST(CanvasEncode, OriginalTypesAsNodeCanvasAndTheRestFromRgba) {
  auto surface = canvas::Surface::create(64, 48);
  ASSERT_TRUE(surface.ok());
  const Stop stop;
  auto jpg = canvas::encode_canvas(*surface, "jpg", {}, stop);
  ASSERT_TRUE(jpg.ok());
  EXPECT_EQ(jpg->bytes, *canvas::encode_jpeg(*surface, stop));  // node-canvas's quality 75
  EXPECT_EQ(canvas::encode_canvas(*surface, "jpeg", {75, false}, stop)->bytes, jpg->bytes);
  EXPECT_NE(canvas::encode_canvas(*surface, "jpg", {95, false}, stop)->bytes, jpg->bytes);
  EXPECT_EQ(canvas::encode_canvas(*surface, "png", {}, stop)->bytes, *canvas::encode_png(*surface, stop));
  for (const char* type : {"gif", "webp", "avif", "jxl"}) {
    auto out = canvas::encode_canvas(*surface, type, {}, stop);
    ASSERT_TRUE(out.ok()) << type;
    EXPECT_EQ(out->content_type, std::string("image/") + type);
    const VImage v = load(out->bytes);
    EXPECT_EQ(v.width(), 64) << type;
    EXPECT_EQ(v.height(), 48) << type;
    EXPECT_EQ(v.bands(), 4) << type;  // a fresh canvas is transparent
  }
}

}  // namespace
}  // namespace imgflo::runtime
