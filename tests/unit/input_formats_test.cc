// The input allow-list (runtime/loaders.h): each accepted format recognised by
// its signature and decoded at the right size, as close to the source as
// libvips' own decode of the same file; everything else refused; the pixel
// limit applied from the header for every format.
#include "runtime/codec.h"
#include "runtime/magic.h"
#include "support/format_corpus.h"
#include "support/image_compare.h"
#include "support/oracle.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

namespace imgflo::runtime {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;
using test::format_file;
using test::read_file;

ImageType expected_type(const std::string& name) {
  const std::string ext = name.substr(name.rfind('.') + 1);
  if (ext == "heic") return ImageType::kHeif;
  if (ext == "avif") return ImageType::kAvif;
  if (ext == "jxl") return ImageType::kJxl;
  if (ext == "tif") return ImageType::kTiff;
  if (ext == "svg") return ImageType::kSvg;
  return ImageType::kPng;
}

std::string encode_png(const Image& img) {
  auto png = encode(img, OutputType::kPng, {});
  if (!png.ok()) throw std::runtime_error(png.error().message());
  return *png;
}

TEST(InputFormats, SniffsEachSample) {
  for (const auto& s : test::format_samples()) {
    EXPECT_EQ(sniff(read_file(format_file(s.name))), expected_type(s.name)) << s.name;
    EXPECT_EQ(type_extension(expected_type(s.name)), s.name.substr(s.name.rfind('.') + 1)) << s.name;
  }
  EXPECT_EQ(sniff(read_file(test::example("video-3dpmic.mp4"))), ImageType::kUnknown);
}

TEST(InputFormats, SniffsIsoBmffBrands) {
  auto ftyp = [](std::string_view major, std::string_view compatible) {
    std::string box = "\0\0\0\0ftyp"s + std::string(major) + "\0\0\0\0"s + std::string(compatible);
    box[3] = static_cast<char>(box.size());
    return box + "\0\0\0\x08meta"s;
  };
  EXPECT_EQ(sniff(ftyp("heic", "mif1heic")), ImageType::kHeif);
  EXPECT_EQ(sniff(ftyp("mif1", "mif1heic")), ImageType::kHeif);
  EXPECT_EQ(sniff(ftyp("mif1", "miafmif1")), ImageType::kHeif);  // generic HEIF: libheif picks the codec
  EXPECT_EQ(sniff(ftyp("msf1", "hevc")), ImageType::kHeif);
  EXPECT_EQ(sniff(ftyp("avif", "avifmif1miaf")), ImageType::kAvif);
  EXPECT_EQ(sniff(ftyp("mif1", "miafavif")), ImageType::kAvif);
  EXPECT_EQ(sniff(ftyp("avis", "")), ImageType::kAvif);
  EXPECT_EQ(sniff(ftyp("isom", "isomiso2mp41")), ImageType::kUnknown);  // MP4 video
  EXPECT_EQ(sniff(ftyp("qt  ", "qt  ")), ImageType::kUnknown);
  std::string lying = ftyp("heic", "mif1");
  lying[3] = 'x';  // box longer than the data
  EXPECT_EQ(sniff(lying), ImageType::kUnknown);
  EXPECT_EQ(sniff("\0\0\0\x0CJXL \r\n\x87\n\0\0\0\x14" "ftypjxl "sv), ImageType::kJxl);
  EXPECT_EQ(sniff("\xFF\x0A\xFA"sv), ImageType::kJxl);
  EXPECT_EQ(sniff("MM\0*\0\0\0\x08"sv), ImageType::kTiff);
  EXPECT_EQ(sniff("II+\0\x08\0\0\0"sv), ImageType::kTiff);  // BigTIFF
}

TEST(InputFormats, SniffsSvgAfterItsProlog) {
  EXPECT_EQ(sniff("<svg xmlns='http://www.w3.org/2000/svg'/>"), ImageType::kSvg);
  EXPECT_EQ(sniff("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- a > b -->\n<?xml-stylesheet href=\"x\"?>"
                  "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" [ <!ENTITY e \"<g>\"> ]>\n<svg\n>"),
            ImageType::kSvg);
  EXPECT_EQ(sniff("<svg>"), ImageType::kSvg);
  for (const char* not_svg : {"<svg", "<svgx>", "<html><svg>", "<!-- <svg> ", "<?xml <svg>", "<svg:svg>",
                              "<!DOCTYPE svg [ <!ENTITY e \"x\"> <svg>", "%PDF-1.4\n<svg>", "<![CDATA[x]]><svg>",
                              "P3\n1 1\n255\n0 0 0\n", "1 2\n3 4\n"}) {
    EXPECT_EQ(sniff(not_svg), ImageType::kUnknown) << not_svg;
  }
  EXPECT_EQ(sniff("\x1F\x8B\x08\0\0\0\0\0"sv), ImageType::kUnknown);  // svgz: gzip is not accepted
  const std::string late = "<!--" + std::string(70 * 1024, ' ') + "--><svg>";
  EXPECT_EQ(sniff(late), ImageType::kUnknown);  // only the first 64 KiB are read
}

// Judge: mean dE76 of our decode against the source image, no more than 0.5
// above libvips' own decode (`vips copy`) of the same file against it.
TEST(InputFormats, DecodesEachSampleLikeLibvips) {
  for (const auto& s : test::format_samples()) {
    SCOPED_TRACE(s.name);
    auto img = decode(read_file(format_file(s.name)), {});
    ASSERT_TRUE(img.ok()) << img.error().message();
    EXPECT_EQ(img->width(), s.width);
    EXPECT_EQ(img->height(), s.height);
    const std::string truth = read_file(test::example(s.source));
    const std::string ours = encode_png(*img);
    const auto own = test::compare_images(test::vips_own_png(s.name), truth);
    const auto mine = test::compare_images(ours, truth);
    ASSERT_TRUE(own.same_size && mine.same_size) << mine.describe();
    EXPECT_LE(mine.mean_delta, own.mean_delta + 0.5) << "ours " << mine.mean_delta << ", vips " << own.mean_delta;
    std::printf("%-24s mean dE76 to source: ours %.3f, vips copy %.3f\n", s.name.c_str(), mine.mean_delta,
                own.mean_delta);
  }
}

TEST(InputFormats, KeepsDepthAndModel) {
  auto sixteen = decode(read_file(format_file("gridbear16.png")), {});
  auto tiff16 = decode(read_file(format_file("gridbear16.tif")), {});
  auto grey = decode(read_file(format_file("gridbear-grey.png")), {});
  auto palette = decode(read_file(format_file("gridbear-palette.png")), {});
  auto svg = decode(read_file(format_file("happy-kitten.svg")), {});
  ASSERT_TRUE(sixteen.ok() && tiff16.ok() && grey.ok() && palette.ok() && svg.ok());
  EXPECT_EQ(sixteen->format.depth, Depth::kU16);
  EXPECT_EQ(tiff16->format.depth, Depth::kU16);
  EXPECT_EQ(grey->format.model, Model::kY);
  EXPECT_EQ(palette->format.model, Model::kRGB);
  EXPECT_EQ(svg->format.model, Model::kRGBA);
}

TEST(InputFormats, OtherFormatsAreRefusedWithTheList) {
  for (const std::string& bytes : {std::string("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"), std::string("P6\n1 1\n255\n\0\0\0", 15),
                                   std::string("8BPS\0\x01"), std::string("SIMPLE  =                    T"),
                                   std::string("\x76\x2f\x31\x01\x02\0\0\0"), std::string("2 2\n1 2\n3 4\n"), std::string()}) {
    auto r = decode(bytes, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind(), ErrorKind::kUndecodable);
    EXPECT_EQ(r.error().message(), "input is not a JPEG, PNG, GIF, WebP, HEIC/HEIF, AVIF, JPEG XL, TIFF or SVG image");
  }
}

TEST(InputFormats, PixelLimitAppliesToEveryFormatFromTheHeader) {
  for (const auto& s : test::format_samples()) {
    const uint64_t pixels = static_cast<uint64_t>(s.width) * s.height;
    const std::string bytes = read_file(format_file(s.name));
    DecodeLimits at{pixels, pixels};
    DecodeLimits under{pixels - 1, pixels - 1};
    EXPECT_TRUE(decode(bytes, {at}).ok()) << s.name;
    auto r = decode(bytes, {under});
    ASSERT_FALSE(r.ok()) << s.name;
    EXPECT_EQ(r.error().kind(), ErrorKind::kTooLarge) << s.name;
  }
}

// Declared sizes far over the limit: refused from the header, at once.
TEST(InputFormats, BombsAreRefusedFromTheHeader) {
  const std::string heic = read_file(format_file("gridbear.heic"));
  const std::string avif = read_file(format_file("gridbear.avif"));
  const std::string jxl = read_file(format_file("gridbear.jxl"));
  const std::vector<std::pair<std::string, std::string>> bombs = {
      {"heic 16000", test::heif_with_size(heic, 16000)}, {"avif 16000", test::heif_with_size(avif, 16000)},
      {"jxl 100000", test::jxl_with_size(jxl, 100000)},  {"tiff 100000", test::tiff_bomb(100000)},
      {"svg 100000", test::svg_sized("100000", "100000")}, {"svg 1e9", test::svg_sized("1e9", "1e9")},
      {"svg 1e9 wide", test::svg_sized("1e9", "10")}};
  for (const auto& [what, bytes] : bombs) {
    const auto start = std::chrono::steady_clock::now();
    auto r = decode(bytes, {});
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().kind(), ErrorKind::kTooLarge) << what << ": " << r.error().message();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1)) << what;
  }
  // libheif's own limit (16384 on a side) refuses larger HEIF headers before ours.
  for (const auto& bytes : {test::heif_with_size(heic, 100000), test::heif_with_size(avif, 100000)}) {
    auto r = decode(bytes, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind(), ErrorKind::kUndecodable) << r.error().message();
  }
}

TEST(InputFormats, TruncatedAndEmptyInputsAreUndecodable) {
  for (const char* name : {"gridbear.heic", "gridbear.avif", "gridbear.jxl", "gridbear.tif", "happy-kitten.svg"}) {
    const std::string bytes = read_file(format_file(name));
    for (size_t keep : {size_t{0}, size_t{16}, bytes.size() / 2}) {
      auto img = decode(bytes.substr(0, keep), {});
      const bool failed = !img.ok() || !encode(*img, OutputType::kPng, {}).ok();
      EXPECT_TRUE(failed) << name << " cut to " << keep << " bytes";
      if (!img.ok()) {
        EXPECT_EQ(img.error().kind(), ErrorKind::kUndecodable) << name << " " << keep;
      }
    }
  }
}

TEST(InputFormats, SvgIsDrawnAtTheRequestedScale) {
  const std::string svg = read_file(format_file("happy-kitten.svg"));
  DecodeOptions twice;
  twice.scale = 2.0;
  auto big = decode(svg, twice);
  ASSERT_TRUE(big.ok()) << big.error().message();
  EXPECT_EQ(big->width(), 1488);
  EXPECT_EQ(big->height(), 1157);  // 578.6 units high: 579 pixels at scale 1, 1157 at scale 2
  EXPECT_DOUBLE_EQ(vector_scale(744, 579, 1488, 1158), 2.0);
  EXPECT_DOUBLE_EQ(vector_scale(744, 579, 372, 1158), 2.0);  // the larger ratio: resize only shrinks
}

// width=1488 through a graph: drawn at scale 2 (1157 rows of 578.6 units), padded
// to the plan's 1158 rows with a transparent row, not resampled by 1158/1157.
TEST(InputFormats, SvgThroughTheRescaleIsTheDrawingItself) {
  const std::string svg = read_file(format_file("happy-kitten.svg"));
  const std::string out = test::run_fbp("INPORT=n.INPUT:INPUT\nOUTPORT=n.OUTPUT:OUTPUT\nn(gegl/nop)\n", svg,
                                        {{"width", "1488"}});
  const vips::VImage got = vips::VImage::new_from_buffer(out.data(), out.size(), "");
  ASSERT_EQ(got.width(), 1488);
  ASSERT_EQ(got.height(), 1158);
  EXPECT_EQ(got.extract_area(0, 1157, 1488, 1).extract_band(3).max(), 0);  // the padding row
  DecodeOptions twice;
  twice.scale = 2.0;
  auto drawn = decode(svg, twice);
  ASSERT_TRUE(drawn.ok());
  Image top{got.extract_area(0, 0, 1488, 1157), {Model::kRGBA, Trc::kPerceptual, false, Depth::kU8}, 0, 0};
  const auto c = test::compare_images(encode_png(top), encode_png(*drawn));
  EXPECT_LT(c.mean_delta, 0.05) << c.describe();
}

TEST(InputFormats, SvgHasItsOwnLimitAtTheDrawnSize) {
  const std::string svg = read_file(format_file("happy-kitten.svg"));  // 744 x 579
  DecodeOptions options;
  options.limits.max_vector_pixels = 744 * 579 - 1;
  auto r = decode(svg, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTooLarge);
  options.scale = 0.5;  // drawn at 372 x 290: within the limit
  EXPECT_TRUE(decode(svg, options).ok());
  EXPECT_EQ(pixel_limit(ImageType::kSvg, DecodeLimits{100, 1000}), 100u);  // never above the general limit
  EXPECT_EQ(pixel_limit(ImageType::kSvg, DecodeLimits{}), DecodeLimits{}.max_vector_pixels);
  // A huge declared size drawn small is fine: the limit is on what is drawn.
  DecodeOptions small;
  small.scale = 0.001;
  auto huge = decode(test::svg_sized("100000", "100000"), small);
  ASSERT_TRUE(huge.ok()) << huge.error().message();
  EXPECT_EQ(huge->width(), 100);
}

TEST(InputFormats, SvgWithoutSizeTakesItsContentsSize) {
  auto r = decode(test::svg_sized("", ""), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->width(), 10);
  EXPECT_EQ(r->height(), 10);
  auto tiny = decode(test::svg_sized("1", "1"), {});  // a real 1-pixel SVG is not "beyond range"
  ASSERT_TRUE(tiny.ok()) << tiny.error().message();
  EXPECT_EQ(tiny->width(), 1);
}

}  // namespace
}  // namespace imgflo::runtime
