// EXIF orientation: the bounded tag reader, and inputs made upright (sizes,
// pixels against the upright truth and `vips autorot`, shrink-on-load,
// width/height rescale) for JPEG (our decoder) and libvips' PNG/WebP loaders.
#include "runtime/codec.h"
#include "runtime/orientation.h"
#include "support/image_compare.h"
#include "support/input_corpus.h"
#include "support/paths.h"
#include "support/pixels.h"

#include <gtest/gtest.h>

#include <string>

namespace imgflo::test {
namespace {

namespace rt = runtime;

// A TIFF-structured EXIF block with IFD0 = `entries` (tag, type, count, value).
struct Entry {
  uint16_t tag, type;
  uint32_t count, value;
};

void put16(std::string& s, uint16_t v, bool le) {
  s += le ? static_cast<char>(v & 0xFF) : static_cast<char>(v >> 8);
  s += le ? static_cast<char>(v >> 8) : static_cast<char>(v & 0xFF);
}

void put32(std::string& s, uint32_t v, bool le) {
  put16(s, static_cast<uint16_t>(le ? v & 0xFFFF : v >> 16), le);
  put16(s, static_cast<uint16_t>(le ? v >> 16 : v & 0xFFFF), le);
}

std::string exif(const std::vector<Entry>& entries, bool le = true, uint16_t declared_count = 0) {
  std::string s("Exif\0\0", 6);
  s += le ? "II" : "MM";
  put16(s, 42, le);
  put32(s, 8, le);
  put16(s, declared_count ? declared_count : static_cast<uint16_t>(entries.size()), le);
  for (const auto& e : entries) {
    put16(s, e.tag, le);
    put16(s, e.type, le);
    put32(s, e.count, le);
    put16(s, static_cast<uint16_t>(e.value), le);  // a SHORT sits in the first two bytes
    put16(s, 0, le);
  }
  put32(s, 0, le);
  return s;
}

TEST(ExifOrientation, ReadsEveryValueInBothByteOrders) {
  for (bool le : {true, false}) {
    for (uint32_t o = 1; o <= 8; ++o) {
      EXPECT_EQ(rt::exif_orientation(exif({{0x010F, 2, 4, 0}, {0x0112, 3, 1, o}}, le)), static_cast<int>(o))
          << "orientation " << o << (le ? " II" : " MM");
    }
  }
  EXPECT_EQ(rt::exif_orientation(exif({{0x0112, 3, 1, 6}}).substr(6)), 6) << "TIFF structure without the prefix";
}

TEST(ExifOrientation, MalformedBlocksMeanUpright) {
  EXPECT_EQ(rt::exif_orientation(""), 1);
  EXPECT_EQ(rt::exif_orientation(exif({})), 1);
  EXPECT_EQ(rt::exif_orientation(exif({{0x0112, 3, 1, 9}})), 1) << "out of range";
  EXPECT_EQ(rt::exif_orientation(exif({{0x0112, 3, 1, 0}})), 1) << "out of range";
  EXPECT_EQ(rt::exif_orientation(exif({{0x0112, 4, 1, 6}})), 1) << "not a SHORT";
  EXPECT_EQ(rt::exif_orientation(exif({{0x0112, 3, 2, 6}})), 1) << "count != 1";
  // 65535 declared entries in a block holding one: stops at the end of the data.
  EXPECT_EQ(rt::exif_orientation(exif({{0x010F, 2, 4, 0}}, true, 0xFFFF)), 1);
  const std::string good = exif({{0x010F, 2, 4, 0}, {0x0112, 3, 1, 6}});
  for (size_t cut = 0; cut < good.size() - 4; ++cut) {
    EXPECT_EQ(rt::exif_orientation(good.substr(0, cut)), 1) << "cut at " << cut;
  }
  std::string far = good;
  far[10] = '\xF0';  // IFD0 offset far outside the block
  EXPECT_EQ(rt::exif_orientation(far), 1);
  std::string wrapping = good;
  for (int i = 10; i < 14; ++i) wrapping[i] = '\xFF';  // offset 0xFFFFFFFF
  EXPECT_EQ(rt::exif_orientation(wrapping), 1);
}

constexpr int kUprightWidth = 720, kUprightHeight = 500;

class Oriented : public testing::TestWithParam<int> {};

TEST_P(Oriented, ProbeReportsTheUprightSize) {
  const int o = GetParam();
  for (const char* ext : {"jpg", "png", "webp"}) {
    auto size = rt::probe(read_file(corpus::oriented(o, ext)));
    ASSERT_TRUE(size.ok()) << size.error().message();
    EXPECT_EQ(size->width, kUprightWidth) << ext;
    EXPECT_EQ(size->height, kUprightHeight) << ext;
    EXPECT_EQ(size->orientation, o) << ext;
  }
}

TEST_P(Oriented, JpegComesOutUprightAsVipsAutorotDoes) {
  const int o = GetParam();
  const std::string truth = read_file(corpus::upright_png());
  const Comparison ours = compare_images(run_graph("passthrough", read_file(corpus::oriented(o)), {}), truth);
  const Comparison vips = compare_files(corpus::vips_autorot(o), corpus::upright_png());
  ASSERT_TRUE(ours.same_size) << ours.describe();
  EXPECT_LE(ours.mean_delta, vips.mean_delta + 0.5) << "ours " << ours.describe() << "; vips " << vips.describe();
}

TEST_P(Oriented, LosslessFormatsComeOutExactlyUpright) {
  const int o = GetParam();
  for (const char* ext : {"png", "webp"}) {
    const Comparison c =
        compare_images(run_graph("passthrough", read_file(corpus::oriented(o, ext)), {}), read_file(corpus::upright_png()));
    EXPECT_TRUE(c.passes(0.0)) << ext << ": " << c.describe();
  }
}

TEST_P(Oriented, WidthAppliesToTheUprightImage) {
  const int o = GetParam();
  const request::Params width{{"width", "300"}};
  const std::string truth = run_graph("passthrough", read_file(corpus::upright_png()), width);
  const Comparison baseline = compare_images(run_graph("passthrough", read_file(corpus::oriented(1)), width), truth);
  const Comparison ours = compare_images(run_graph("passthrough", read_file(corpus::oriented(o)), width), truth);
  const Pixels px = decode_pixels(run_graph("passthrough", read_file(corpus::oriented(o)), width));
  EXPECT_EQ(px.width, 300);
  EXPECT_EQ(px.height, 209);  // ceil(500 * 300 / 720)
  ASSERT_TRUE(ours.same_size) << ours.describe();
  EXPECT_LE(ours.mean_delta, baseline.mean_delta + 0.5) << ours.describe() << "; baseline " << baseline.describe();
}

TEST_P(Oriented, ShrinkOnLoadThenRotates) {
  const int o = GetParam();
  rt::DecodeOptions options;
  options.shrink = 2;
  auto img = rt::decode(read_file(corpus::oriented(o)), options);
  ASSERT_TRUE(img.ok()) << img.error().message();
  EXPECT_EQ(img->width(), kUprightWidth / 2);
  EXPECT_EQ(img->height(), kUprightHeight / 2);
}

TEST_P(Oriented, StreamingDecodeGivesTheSamePixels) {
  const int o = GetParam();
  const std::string bytes = read_file(corpus::oriented(o));
  rt::DecodeOptions streaming;
  streaming.sequential = true;
  streaming.small_jpeg_bytes = 0;  // streamed even though it is small
  auto a = rt::decode(bytes, streaming);
  auto b = rt::decode(bytes, {});
  ASSERT_TRUE(a.ok() && b.ok());
  const vips::VImage diff = (a->pixels.cast(VIPS_FORMAT_INT) - b->pixels.cast(VIPS_FORMAT_INT)).abs();
  EXPECT_EQ(diff.max(), 0.0);
}

INSTANTIATE_TEST_SUITE_P(Exif, Oriented, testing::Range(1, 9),
                         [](const testing::TestParamInfo<int>& info) { return "o" + std::to_string(info.param); });

}  // namespace
}  // namespace imgflo::test
