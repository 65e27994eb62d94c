// runtime/codec.h: sequential decodes of small JPEGs are done whole (DecodeOptions::small_jpeg_bytes),
// larger ones stream; the size rule follows libjpeg's scaled sizes.
#include "runtime/codec.h"

#include <gtest/gtest.h>
#include <vips/vips8>

#include <string>

namespace imgflo::runtime {
namespace {

std::string jpeg_of(int width, int height) {
  // A gradient, so that reading rows in the wrong place would show.
  const vips::VImage x = vips::VImage::xyz(width, height);
  const vips::VImage rgb = (x[0] + x[1]).bandjoin({x[0], x[1]}).cast(VIPS_FORMAT_UCHAR);
  void* buf = nullptr;
  size_t len = 0;
  rgb.write_to_buffer(".jpg", &buf, &len, vips::VImage::option()->set("Q", 90));
  std::string bytes(static_cast<const char*>(buf), len);
  g_free(buf);
  return bytes;
}

// Reads the bottom strip first and then the top one, as a pipeline reading out of order would.
double bottom_then_top(const vips::VImage& img) {
  const double bottom = img.extract_area(0, img.height() - 8, img.width(), 8).avg();
  const double top = img.extract_area(0, 0, img.width(), 8).avg();
  return bottom + top;
}

TEST(SmallJpegDecode, ShrunkBytesAreLibjpegsScaledSizes) {
  for (const int w : {1, 7, 513, 1365}) {
    for (const int shrink : {1, 2, 4, 8}) {
      const std::string bytes = jpeg_of(w, 9);
      DecodeOptions options;
      options.shrink = shrink;
      auto img = decode(bytes, options);
      ASSERT_TRUE(img.ok()) << img.error().message();
      EXPECT_EQ(shrunk_jpeg_bytes(w, 9, 3, shrink), static_cast<uint64_t>(img->width()) * img->height() * 3)
          << w << "x9 at 1/" << shrink;
    }
  }
  EXPECT_EQ(shrunk_jpeg_bytes(0, 5, 3, 4), 0u);
  EXPECT_EQ(shrunk_jpeg_bytes(5, 5, 3, 0), 75u);  // no shrink below 1
}

TEST(SmallJpegDecode, ASmallSequentialDecodeIsWholeAndGivesTheSamePixels) {
  const std::string bytes = jpeg_of(640, 480);  // 0.9 MB decoded
  DecodeOptions sequential;
  sequential.sequential = true;
  auto whole = decode(bytes, sequential);
  auto random = decode(bytes, {});
  ASSERT_TRUE(whole.ok() && random.ok());
  EXPECT_DOUBLE_EQ(bottom_then_top(whole->pixels), bottom_then_top(random->pixels));  // any order works
  const vips::VImage diff = (whole->pixels.cast(VIPS_FORMAT_INT) - random->pixels.cast(VIPS_FORMAT_INT)).abs();
  EXPECT_EQ(diff.max(), 0.0);
}

// A whole decode happens inside decode(), where a raised Stop ends it; a stream
// decodes only once its pixels are read.
TEST(SmallJpegDecode, OverTheBoundTheDecodeStreams) {
  const std::string bytes = jpeg_of(640, 480);
  DecodeOptions options;
  options.sequential = true;
  options.stop.token.cancel();
  options.small_jpeg_bytes = shrunk_jpeg_bytes(640, 480, 3, 1);  // exactly at the bound: whole
  EXPECT_FALSE(decode(bytes, options).ok());
  options.small_jpeg_bytes -= 1;  // over it: streamed
  EXPECT_TRUE(decode(bytes, options).ok());
  options.sequential = false;  // random access: whole whatever the size
  EXPECT_FALSE(decode(bytes, options).ok());
}

}  // namespace
}  // namespace imgflo::runtime
