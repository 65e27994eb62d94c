// window_jpeg (runtime/jpeg_decode.h): a JPEG decoded on demand through a
// window of rows gives decode_jpeg's pixels whatever order libvips reads it
// in; reads that stay within the window never restart the decode, reads
// behind it restart with a taller window and end holding every row; pixel
// errors and stops fail the evaluation (a VError), never the process.
#include "runtime/jpeg_decode.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace imgflo::runtime {
namespace {

// The bundled photo at an odd size as a JPEG (`bands` 1 or 3, or 4 = CMYK).
std::string jpeg_window_photo(int width, int height, int bands = 3) {
  vips::VImage v = vips::VImage::new_from_file(test::example("mountains.png").c_str());
  v = v.extract_band(0, vips::VImage::option()->set("n", 3));
  v = v.resize(static_cast<double>(width) / v.width(),
               vips::VImage::option()->set("vscale", static_cast<double>(height) / v.height()));
  if (bands == 1) v = v.colourspace(VIPS_INTERPRETATION_B_W);
  if (bands == 4) {
    v = v.bandjoin(v.extract_band(1)).copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_CMYK));
  }
  void* buf = nullptr;
  size_t size = 0;
  v.cast(VIPS_FORMAT_UCHAR).write_to_buffer(".jpg", &buf, &size, vips::VImage::option()->set("Q", 90));
  std::string out(static_cast<const char*>(buf), size);
  g_free(buf);
  return out;
}

std::vector<unsigned char> jpeg_window_bytes(const vips::VImage& v) {
  size_t size = 0;
  void* p = v.write_to_memory(&size);
  std::vector<unsigned char> out(static_cast<unsigned char*>(p), static_cast<unsigned char*>(p) + size);
  g_free(p);
  return out;
}

// decode_jpeg's pixels, the reference.
std::vector<unsigned char> whole_pixels(const std::string& jpeg, int shrink) {
  auto whole = decode_jpeg(jpeg, shrink, {});
  EXPECT_TRUE(whole.ok());
  return whole.ok() ? jpeg_window_bytes(*whole) : std::vector<unsigned char>();
}

// libvips' threads compute a whole read's strips in any order (a small
// window may restart): the pixels are the whole decode's.
TEST(JpegWindow, AWholeReadGivesTheWholeDecode) {
  for (int bands : {1, 3, 4}) {
    const std::string jpeg = jpeg_window_photo(301, 457, bands);
    auto v = window_jpeg(jpeg, 1, {}, 16);
    ASSERT_TRUE(v.ok()) << v.error().message();
    EXPECT_EQ(v->bands(), bands);
    EXPECT_EQ(v->height(), 457);
    EXPECT_EQ(jpeg_window_bytes(*v), whole_pixels(jpeg, 1)) << bands << " bands";
  }
}

TEST(JpegWindow, EveryShrinkGivesTheWholeDecodesPixels) {
  const std::string jpeg = jpeg_window_photo(333, 251);
  for (int shrink : {2, 4, 8}) {
    auto v = window_jpeg(jpeg, shrink, {}, 8);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(jpeg_window_bytes(*v), whole_pixels(jpeg, shrink)) << "shrink " << shrink;
  }
}

// Strips of 40 rows, one after the other, each read with 30 rows of overlap
// above it, as the streamed blur and the tiled ops ask: inside a window of
// 128 rows (a strip's 70 rows, computed by several threads in any order,
// never reach back further), so the decode never restarts.
TEST(JpegWindow, StripsThatLookBackWithinTheWindowDoNotRestart) {
  const std::string jpeg = jpeg_window_photo(301, 457);
  auto stats = std::make_shared<JpegWindowStats>();
  auto v = window_jpeg(jpeg, 1, {}, 128, stats);
  ASSERT_TRUE(v.ok());
  const std::vector<unsigned char> whole = whole_pixels(jpeg, 1);
  const size_t row = 301 * 3;
  for (int y = 0; y < 457; y += 40) {
    const int top = std::max(0, y - 30), bottom = std::min(457, y + 40);
    const auto strip = jpeg_window_bytes(v->extract_area(0, top, 301, bottom - top));
    ASSERT_EQ(strip.size(), static_cast<size_t>(bottom - top) * row);
    EXPECT_TRUE(std::equal(strip.begin(), strip.end(), whole.begin() + static_cast<long>(top * row))) << "strip " << y;
  }
  EXPECT_EQ(stats->restarts, 0);
  EXPECT_EQ(stats->window_rows, 128);
}

// Bottom to top (a 180-degree turn reads the last rows first): every row
// leaves the window, the decode restarts with taller windows and ends
// holding the whole image; the pixels are still the whole decode's.
TEST(JpegWindow, ReadsBehindTheWindowRestartAndEndWhole) {
  const std::string jpeg = jpeg_window_photo(211, 409);
  auto stats = std::make_shared<JpegWindowStats>();
  auto v = window_jpeg(jpeg, 1, {}, 8, stats);
  ASSERT_TRUE(v.ok());
  auto whole = decode_jpeg(jpeg, 1, {});
  ASSERT_TRUE(whole.ok());
  const vips::VImage tiles = v->rot(VIPS_ANGLE_D180).tilecache(
      vips::VImage::option()->set("tile_width", 16)->set("tile_height", 16)->set("max_tiles", 4));
  EXPECT_EQ(jpeg_window_bytes(tiles), jpeg_window_bytes(whole->rot(VIPS_ANGLE_D180)));
  EXPECT_EQ(stats->restarts, 3);
  EXPECT_EQ(stats->window_rows, 409);
}

TEST(JpegWindow, TruncatedDataFailsTheEvaluation) {
  const std::string jpeg = jpeg_window_photo(301, 457);
  auto v = window_jpeg(jpeg.substr(0, jpeg.size() / 2), 1, {}, 16);
  ASSERT_TRUE(v.ok());  // the header is whole
  EXPECT_THROW(jpeg_window_bytes(*v), vips::VError);
}

TEST(JpegWindow, AStopFailsTheEvaluation) {
  const std::string jpeg = jpeg_window_photo(301, 457);
  Stop stop;
  auto v = window_jpeg(jpeg, 1, stop, 16);
  ASSERT_TRUE(v.ok());
  stop.token.cancel();
  EXPECT_THROW(jpeg_window_bytes(*v), vips::VError);
}

TEST(JpegWindow, ACorruptHeaderIsUndecodable) {
  auto v = window_jpeg("\xFF\xD8\xFF\xE0 not a jpeg", 1, {}, 16);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().kind(), ErrorKind::kUndecodable);
}

}  // namespace
}  // namespace imgflo::runtime
