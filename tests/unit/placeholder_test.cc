// The placeholder graph's parts: the BlurHash encoder against the published
// algorithm's properties (and an independent decoder, support/blurhash_decode),
// the dominant colour on synthetic clusters, the lqip's size, the WebP
// metadata strip, and the JSON.
#include "core/mime.h"
#include "runtime/blurhash.h"
#include "runtime/dominant_colour.h"
#include "runtime/placeholder.h"
#include "runtime/webp_container.h"
#include "support/blurhash_decode.h"
#include "support/pixels.h"
#include "support/two_colours.h"

#include <glib.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace imgflo::runtime {
namespace {

using test::two_colours;

RgbView view(const test::TwoColours& t) { return {t.rgb.data(), t.width, t.height}; }

std::string png_of(const std::vector<uint8_t>& rgb, int width, int height, PixelFormat format = fmt::kRpGpBpU8) {
  return test::png_bytes(test::image_from(rgb, width, height, format).pixels);
}

Placeholder placeholder_of(const std::string& bytes, PlaceholderRequest request = {}) {
  auto p = make_placeholder(bytes, request, {}, {});
  if (!p.ok()) throw std::runtime_error(p.error().message());
  return *p;
}

TEST(BlurHashEncoder, Base83Digits) {
  EXPECT_EQ(encode_base83(0, 1), "0");
  EXPECT_EQ(encode_base83(82, 1), "~");
  EXPECT_EQ(encode_base83(83, 2), "10");
  EXPECT_EQ(encode_base83(83 * 83 * 83 * 83 - 1, 4), "~~~~");
}

TEST(BlurHashEncoder, SizeFlagAndLengthFollowTheComponentCounts) {
  const auto t = two_colours(40, 30, 25, {200, 40, 40}, {20, 40, 200}, 6);
  for (auto [x, y] : {std::pair{1, 1}, {4, 3}, {9, 1}, {1, 9}, {9, 9}, {5, 7}}) {
    const std::string hash = encode_blurhash(view(t), x, y);
    EXPECT_EQ(hash.size(), static_cast<size_t>(4 + 2 * x * y)) << x << "x" << y;
    EXPECT_EQ(hash[0], encode_base83(static_cast<uint32_t>((x - 1) + 9 * (y - 1)), 1)[0]);
    const test::BlurHashComponents c = test::blurhash_components(hash);
    EXPECT_EQ(c.x, x);
    EXPECT_EQ(c.y, y);
  }
}

TEST(BlurHashEncoder, DcIsTheMeanColourInLinearLight) {
  const auto t = two_colours(40, 30, 10, {250, 200, 10}, {10, 60, 120}, 0);
  const std::string hash = encode_blurhash(view(t), 4, 3);
  uint32_t expected = 0;
  for (int b = 0; b < 3; ++b) {
    const double mean = (10 * test::test_srgb_to_linear(t.rgb[b]) + 30 * test::test_srgb_to_linear(t.rgb[3 * 39 + b])) / 40;
    expected = expected << 8 | static_cast<uint32_t>(std::lround(test::test_linear_to_srgb(mean)));
  }
  EXPECT_EQ(hash.substr(2, 4), encode_base83(expected, 4)) << hash;
}

TEST(BlurHashEncoder, FlatImageDcIsItsColourExactly) {
  // (Its AC components are not zero: the algorithm samples the cosines at
  // x / width, not at pixel centres, so odd components of a flat image sum
  // to 2 / width of the colour.)
  const auto t = two_colours(16, 16, 16, {90, 140, 30}, {0, 0, 0}, 0);
  EXPECT_EQ(encode_blurhash(view(t), 4, 3).substr(2, 4), encode_base83(90 << 16 | 140 << 8 | 30, 4));
  EXPECT_EQ(encode_blurhash(view(t), 1, 1), "00" + encode_base83(90 << 16 | 140 << 8 | 30, 4));
}

TEST(BlurHashEncoder, DecodesBackToTheLayout) {
  // Red left half, blue right half: the decoded hash (independent decoder) is
  // red on the left, blue on the right, near the source colours at the edges.
  const auto t = two_colours(64, 32, 32, {220, 30, 30}, {30, 30, 220}, 0);
  const std::string hash = encode_blurhash(view(t), 4, 3);
  const std::vector<uint8_t> px = test::decode_blurhash(hash, 64, 32);
  auto at = [&](int x, int y, int b) { return px[(static_cast<size_t>(y) * 64 + x) * 3 + b]; };
  EXPECT_GT(at(2, 16, 0), 150);
  EXPECT_LT(at(2, 16, 2), 100);
  EXPECT_GT(at(61, 16, 2), 150);
  EXPECT_LT(at(61, 16, 0), 100);
}

TEST(DominantColour, TheLargerAreaWins) {
  const test::Rgb teal{30, 140, 150}, orange{230, 140, 40};
  for (int split : {140, 60}) {  // teal covers 70 %, then 30 %
    const auto t = two_colours(200, 100, split, teal, orange, 12);
    const Rgb8 d = dominant_colour(view(t));
    const auto mean = split > 100 ? t.mean(0, split) : t.mean(split, 200);
    const Lab want = lab_from_srgb({static_cast<uint8_t>(std::lround(mean[0])), static_cast<uint8_t>(std::lround(mean[1])),
                                    static_cast<uint8_t>(std::lround(mean[2]))});
    EXPECT_LT(delta_e76(lab_from_srgb(d), want), 2.0) << hex_colour(d) << " split " << split;
  }
}

TEST(DominantColour, OneNoisyRegionIsOneCluster) {
  // 55 % grey against 45 % red, both noisy (+-12 per channel): k-means
  // splits them into 5 clusters; the parts are merged back, so grey wins.
  const auto t = two_colours(100, 50, 55, {128, 128, 128}, {200, 20, 20}, 12);
  const Rgb8 d = dominant_colour(view(t));
  EXPECT_LT(std::abs(d.r - d.g) + std::abs(d.g - d.b), 12) << hex_colour(d);
}

TEST(DominantColour, SameAnswerEveryRunAndHex) {
  const auto t = two_colours(50, 50, 20, {1, 2, 3}, {250, 251, 252}, 3);
  EXPECT_EQ(dominant_colour(view(t)), dominant_colour(view(t)));
  EXPECT_EQ(hex_colour({0x0a, 0xbc, 0xff}), "#0abcff");
}

TEST(Placeholder, LqipIsAtMost32PixelsAndKeepsTheAspect) {
  const auto t = two_colours(400, 300, 200, {10, 200, 10}, {200, 10, 10}, 4);
  const Placeholder p = placeholder_of(png_of(t.rgb, 400, 300));
  const test::Pixels lqip = test::decode_pixels(p.lqip_webp);
  EXPECT_EQ(p.lqip_webp.substr(8, 4), "WEBP");
  EXPECT_EQ(lqip.width, 32);
  EXPECT_EQ(lqip.height, 24);
  EXPECT_EQ(p.width, 400);
  EXPECT_EQ(p.height, 300);
  EXPECT_EQ(p.blurhash.size(), 28u);
}

TEST(Placeholder, SmallInputsAreNotEnlarged) {
  const auto t = two_colours(20, 10, 10, {10, 200, 10}, {200, 10, 10}, 0);
  const test::Pixels lqip = test::decode_pixels(placeholder_of(png_of(t.rgb, 20, 10)).lqip_webp);
  EXPECT_EQ(lqip.width, 20);
  EXPECT_EQ(lqip.height, 10);
}

TEST(Placeholder, SizeFollowsTheResizeParameters) {
  const auto t = two_colours(400, 300, 200, {10, 200, 10}, {200, 10, 10}, 0);
  const Placeholder p = placeholder_of(png_of(t.rgb, 400, 300), {4, 3, {100, -1}});
  EXPECT_EQ(p.width, 100);
  EXPECT_EQ(p.height, 75);
  EXPECT_EQ(test::decode_pixels(p.lqip_webp).width, 32);
}

TEST(Placeholder, TransparencyIsKeptInTheLqipAndWhiteUnderTheHash) {
  std::vector<uint8_t> rgba;
  for (int i = 0; i < 64 * 64; ++i) rgba.insert(rgba.end(), {0, 0, 0, 0});
  const Placeholder p = placeholder_of(png_of(rgba, 64, 64, fmt::kRpGpBpAU8));
  EXPECT_EQ(test::decode_pixels(p.lqip_webp).bands, 4);
  EXPECT_EQ(hex_colour(p.dominant), "#ffffff");
  EXPECT_EQ(p.blurhash.substr(2, 4), encode_base83(0xffffff, 4));
}

TEST(Placeholder, CorruptInputIsRefused) {
  const auto t = two_colours(400, 300, 200, {10, 200, 10}, {200, 10, 10}, 4);
  const std::string png = png_of(t.rgb, 400, 300);
  auto p = make_placeholder(png.substr(0, png.size() / 2), {}, {}, {});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().kind(), ErrorKind::kUndecodable);
  auto garbage = make_placeholder("not an image", {}, {}, {});
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().kind(), ErrorKind::kUndecodable);
}

TEST(Placeholder, JsonCarriesEveryField) {
  const Placeholder p{"LEHV6nWB2yk8pyo0adR*.7kCMdnj", {1, 2, 3}, 640, 480, "RIFF"};
  const auto j = nlohmann::json::parse(placeholder_json(p));
  EXPECT_EQ(j["blurhash"], p.blurhash);
  EXPECT_EQ(j["dominant"], "#010203");
  EXPECT_EQ(j["width"], 640);
  EXPECT_EQ(j["height"], 480);
  EXPECT_EQ(j["lqip"], "data:image/webp;base64,UklGRg==");
  EXPECT_EQ(content_type_for("json"), "application/json");
}

TEST(WebpContainer, ExifIsStrippedAndThePixelsStay) {
  const auto t = two_colours(32, 32, 16, {10, 200, 10}, {200, 10, 10}, 0);
  void* buf = nullptr;
  size_t len = 0;
  test::image_from(t.rgb, 32, 32, fmt::kRpGpBpU8).pixels.write_to_buffer(".webp", &buf, &len);
  const std::string with_exif(static_cast<const char*>(buf), len);
  g_free(buf);
  ASSERT_NE(with_exif.find("EXIF"), std::string::npos);  // libvips 8.14.1 writes it
  const std::string stripped = strip_webp_metadata(with_exif);
  EXPECT_EQ(stripped.find("EXIF"), std::string::npos);
  EXPECT_EQ(stripped.substr(12, 4), "VP8 ");  // simple format
  EXPECT_LT(stripped.size(), with_exif.size());
  EXPECT_EQ(test::decode_pixels(stripped).data, test::decode_pixels(with_exif).data);
  const std::string truncated("RIFF\x10\0\0\0WEBPVP8X", 16);
  EXPECT_EQ(strip_webp_metadata(truncated), truncated);
}

}  // namespace
}  // namespace imgflo::runtime
