// Every accepted input format over real HTTP (issue 10 item 3): the samples of
// support/format_corpus.h served by a local origin (under a misleading
// Content-Type, which must not matter: the format is sniffed), through
// passthrough and a real graph; SVG drawn at its intrinsic size or straight at
// the requested width; hostile variants refused with a clear 422.
#include "e2e/e2e_util.h"
#include "support/format_corpus.h"
#include "support/image_compare.h"
#include "support/paths.h"
#include "support/pixels.h"
#include "support/test_origin.h"

#include <gtest/gtest.h>
#include <vips/vips8>

namespace imgflo::test {
namespace {

struct Served {
  TestOrigin origin{"127.0.0.1"};
  ServerProcess server{"input-formats", {{"IMGFLO_ALLOW_PRIVATE", "127.0.0.1/32"}}};

  // Serves `bytes` at /NAME (always as image/png) and requests `graph` on it.
  HttpResult get(const std::string& graph, const std::string& name, const std::string& bytes,
                 const std::string& query = "") {
    origin.on("/" + name, OriginResponse::ok(bytes, "image/png"));
    return http_get(server.url("/graph/" + graph + "?" + input_param(origin.url("/" + name)) + query));
  }
  // The stored result behind a 301.
  std::string result(const HttpResult& r) {
    EXPECT_EQ(r.status, 301) << r.body;
    const HttpResult stored = http_get(resolve(server, r.header("location")));
    EXPECT_EQ(stored.status, 200);
    return stored.body;
  }
};

Served& served() {
  static Served* s = new Served();  // one server for the suite; stopped when the process ends
  return *s;
}

vips::VImage image_of(const std::string& bytes) { return vips::VImage::new_from_buffer(bytes.data(), bytes.size(), ""); }

TEST(InputFormatsHttp, EachFormatThroughPassthroughAndAGraph) {
  for (const auto& s : format_samples()) {
    SCOPED_TRACE(s.name);
    const std::string bytes = read_file(format_file(s.name));
    const std::string png = served().result(served().get("passthrough.png", s.name, bytes));
    ASSERT_FALSE(png.empty());
    const vips::VImage out = image_of(png);
    EXPECT_EQ(out.width(), s.width);
    EXPECT_EQ(out.height(), s.height);
    EXPECT_LE(compare_images(png, vips_own_png(s.name)).mean_delta, 1.0);
    const std::string cropped =
        served().result(served().get("crop.png", s.name, bytes, "&x=10&y=10&cropwidth=40&cropheight=30"));
    ASSERT_FALSE(cropped.empty());
    EXPECT_EQ(image_of(cropped).width(), 40);
    EXPECT_EQ(image_of(cropped).height(), 30);
  }
}

TEST(InputFormatsHttp, SvgAtItsIntrinsicSizeOrDrawnAtTheRequestedWidth) {
  ServerProcess& server = served().server;
  const HttpResult intrinsic = http_get(server.url("/graph/passthrough.png?input=files%2Fhappy-kitten.svg"));
  const std::string png = served().result(intrinsic);
  ASSERT_FALSE(png.empty());
  EXPECT_EQ(image_of(png).width(), 744);
  EXPECT_EQ(image_of(png).height(), 579);
  // width=1488: drawn at scale 2 (sharp), not a 2x resize of the 744-wide drawing.
  const std::string wide =
      served().result(http_get(server.url("/graph/passthrough.png?input=files%2Fhappy-kitten.svg&width=1488")));
  ASSERT_FALSE(wide.empty());
  EXPECT_EQ(image_of(wide).width(), 1488);
  EXPECT_EQ(image_of(wide).height(), 1158);
  const std::string dir = scratch_dir("svg-width").string();
  const std::string drawn = dir + "/drawn.png", resized = dir + "/resized.png";
  const std::string kitten = example("happy-kitten.svg").string();
  ASSERT_EQ(std::system(("vips copy '" + kitten + "[scale=2]' " + drawn).c_str()), 0);
  ASSERT_EQ(std::system(("vips resize '" + kitten + "' " + resized + " 2").c_str()), 0);
  // The plan rounds 578.6 x 2 up to 1158 rows, the drawing has 1157: compare those.
  const std::string top = png_bytes(image_of(wide).extract_area(0, 0, 1488, 1157));
  const double to_drawn = compare_images(top, read_file(drawn)).mean_delta;
  const double to_resized = compare_images(top, png_bytes(image_of(read_file(resized)).extract_area(0, 0, 1488, 1157))).mean_delta;
  EXPECT_LT(to_drawn, 0.5);
  EXPECT_LT(to_drawn, to_resized / 2) << to_drawn << " vs " << to_resized;
  // A huge declared size drawn straight at a small width is fine.
  const std::string small = served().result(served().get("passthrough.png", "huge.svg", svg_sized("100000", "100000"),
                                                         "&width=100"));
  ASSERT_FALSE(small.empty());
  EXPECT_EQ(image_of(small).width(), 100);
}

TEST(InputFormatsHttp, HostileInputsAreAClear422) {
  const std::string heic = read_file(format_file("gridbear.heic"));
  const std::string jxl = read_file(format_file("gridbear.jxl"));
  const std::string tif = read_file(format_file("gridbear.tif"));
  const std::string avif = read_file(format_file("gridbear.avif"));
  const std::string svg = read_file(format_file("happy-kitten.svg"));
  struct Case {
    std::string name, bytes, type;
  };
  const std::vector<Case> cases = {
      {"bomb.heic", heif_with_size(heic, 16000), "too-large"},
      {"bomb2.heic", heif_with_size(heic, 100000), "undecodable-image"},
      {"bomb.avif", heif_with_size(avif, 16000), "too-large"},
      {"bomb.jxl", jxl_with_size(jxl, 100000), "too-large"},
      {"bomb.tif", tiff_bomb(100000), "too-large"},
      {"bomb.svg", svg_sized("100000", "100000"), "too-large"},
      {"range.svg", svg_sized("1e9", "1e9"), "too-large"},
      {"half.heic", heic.substr(0, heic.size() / 2), "undecodable-image"},
      {"half.avif", avif.substr(0, avif.size() / 2), "undecodable-image"},
      {"half.jxl", jxl.substr(0, jxl.size() / 2), "undecodable-image"},
      {"half.tif", tif.substr(0, tif.size() / 2), "undecodable-image"},
      {"half.svg", svg.substr(0, svg.size() / 2), "undecodable-image"},
      {"empty.heic", "", "undecodable-image"},
      {"head.heic", heic.substr(0, 32), "undecodable-image"},
      {"document.jpg", "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
       "undecodable-image"},
  };
  for (const auto& c : cases) {
    const HttpResult r = served().get("passthrough.png", c.name, c.bytes);
    EXPECT_EQ(r.status, 422) << c.name << ": " << r.body;
    ASSERT_EQ(r.header("content-type"), "application/json") << c.name;
    EXPECT_EQ(r.json()["type"], c.type) << c.name << ": " << r.body;
  }
  const HttpResult pdf = served().get("passthrough.png", "document.jpg", cases.back().bytes);
  EXPECT_EQ(pdf.json()["error"], "input is not a JPEG, PNG, GIF, WebP, HEIC/HEIF, AVIF, JPEG XL, TIFF or SVG image");
  ASSERT_TRUE(served().server.running()) << served().server.log();
  EXPECT_EQ(http_get(served().server.url("/health")).status, 200);
}

}  // namespace
}  // namespace imgflo::test
