// Output types over HTTP (issue 11 §1): every type of an imgflo graph and of a
// canvas graph is stored with its Content-Type and decodes with libvips to the
// requested size; animated GIF stays animated in gif and webp with
// quality/lossless; quality and lossless are part of the cache key, change
// the bytes as asked, and bad values are a 400 JSON answer.
#include "e2e/e2e_util.h"

#include <vips/vips8>

#include <gtest/gtest.h>

namespace imgflo::test {
namespace {

using vips::VImage;

ServerProcess& output_server() {
  static ServerProcess* s = new ServerProcess("output-types");
  return *s;
}

// GET `path`: the 301, then the stored result it points at.
struct StoredOutput {
  std::string location;
  HttpResult result;
};
StoredOutput stored_output(const std::string& path) {
  const HttpResult first = http_get(output_server().url(path));
  EXPECT_EQ(first.status, 301) << path << ": " << first.body;
  const std::string location = first.header("location");
  return {location, http_get(resolve(output_server(), location))};
}

VImage load(const std::string& bytes, int pages = 1) {
  return VImage::new_from_buffer(bytes.data(), bytes.size(), "", VImage::option()->set("n", pages));
}

const char* const kTypes[] = {"jpg", "jpeg", "png", "gif", "webp", "avif", "jxl"};

std::string content_type(const std::string& type) {
  return type == "jpg" || type == "jpeg" ? "image/jpeg" : "image/" + type;
}

// The stored result of `path` in `type`: 200, its Content-Type, decoded by libvips at width x height.
VImage stored_image(const std::string& path, const std::string& type, int width, int height) {
  const StoredOutput s = stored_output(path);
  EXPECT_EQ(s.result.status, 200) << path;
  EXPECT_EQ(s.result.header("content-type"), content_type(type)) << path;
  if (s.result.status != 200) return VImage::black(1, 1);
  const VImage img = load(s.result.body).copy_memory();  // the body goes with `s`
  EXPECT_EQ(img.width(), width) << path;
  EXPECT_EQ(img.height(), height) << path;
  return img;
}

TEST(OutputTypesOverHttp, ImgfloGraphInEveryType) {
  for (const std::string type : kTypes) {
    stored_image("/graph/gradientmap." + type + "?input=files%2Fgrid-toastybob.jpg&width=96", type, 96, 128);
  }
}

TEST(OutputTypesOverHttp, CanvasGraphInEveryType) {
  for (const std::string type : kTypes) {
    const VImage img = stored_image("/graph/canvas." + type + "?color=%2387a9a7&width=40&height=30&quality=60", type, 40, 30);
    EXPECT_NEAR(img.extract_band(1).avg(), 0xa9, 4) << type;  // the fill colour's green, through any encoder
  }
}

TEST(OutputTypesOverHttp, AnimatedGifStaysAnimatedWithTheNewOptions) {
  for (const std::string query : {"gif?quality=30", "webp?quality=30", "webp?lossless=true"}) {
    const StoredOutput s = stored_output("/graph/passthrough." + query + "&input=files%2Ftime.gif&width=100");
    ASSERT_EQ(s.result.status, 200) << query;
    const VImage frames = load(s.result.body, -1);
    EXPECT_EQ(frames.get_int("n-pages"), 8) << query;
    EXPECT_EQ(frames.get_int("page-height"), 100) << query;
  }
}

TEST(OutputTypesOverHttp, QualityIsInTheKeyAndMakesSmallerFiles) {
  for (const std::string type : {"jpg", "webp", "avif", "jxl"}) {
    const std::string base = "/graph/passthrough." + type + "?input=files%2Fmountains.png&quality=";
    const StoredOutput low = stored_output(base + "50");
    const StoredOutput high = stored_output(base + "95");
    ASSERT_EQ(low.result.status, 200) << type;
    ASSERT_EQ(high.result.status, 200) << type;
    EXPECT_NE(low.location, high.location) << type;  // two stored results
    EXPECT_LT(low.result.body.size(), high.result.body.size()) << type;
  }
}

TEST(OutputTypesOverHttp, WithoutTheNewParametersJpegIsTheOriginalQuality) {
  const StoredOutput plain = stored_output("/graph/passthrough.jpg?input=files%2Fgridbear.jpg");
  const StoredOutput q90 = stored_output("/graph/passthrough.jpg?input=files%2Fgridbear.jpg&quality=90");
  EXPECT_NE(plain.location, q90.location);
  EXPECT_EQ(plain.result.body, q90.result.body);
}

TEST(OutputTypesOverHttp, LosslessWebpIsThePngPixels) {
  const std::string query = "?input=files%2Fgrid-toastybob.jpg";
  const StoredOutput png = stored_output("/graph/gradientmap.png" + query);
  const StoredOutput webp = stored_output("/graph/gradientmap.webp" + query + "&lossless=true");
  ASSERT_EQ(webp.result.status, 200);
  EXPECT_EQ(webp.result.header("content-type"), "image/webp");
  VImage a = load(png.result.body);
  const VImage b = load(webp.result.body);
  if (a.bands() == 4 && b.bands() == 3) {  // libwebp leaves out an alpha that is opaque everywhere
    EXPECT_EQ(a[3].min(), 255);
    a = a.extract_band(0, VImage::option()->set("n", 3));
  }
  ASSERT_EQ(a.bands(), b.bands());
  EXPECT_EQ(b.width(), a.width());
  EXPECT_EQ((a.cast(VIPS_FORMAT_INT) - b.cast(VIPS_FORMAT_INT)).abs().max(), 0);
}

TEST(OutputTypesOverHttp, BadValuesAre400AndOtherTypes449) {
  for (const std::string query : {"quality=0", "quality=101", "quality=high", "quality=9.5", "lossless=maybe"}) {
    const HttpResult r = http_get(output_server().url("/graph/passthrough.webp?input=files%2Fgridbear.jpg&" + query));
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json") << query;
    EXPECT_TRUE(r.json().contains("error")) << r.body;
  }
  for (const std::string type : {"jpg", "gif"}) {
    const HttpResult r = http_get(output_server().url("/graph/canvas." + type + "?lossless=true"));
    EXPECT_EQ(r.status, 400) << type << ": " << r.body;
  }
  const HttpResult r = http_get(output_server().url("/graph/passthrough.bmp?input=files%2Fgridbear.jpg"));
  ASSERT_EQ(r.status, 449) << r.body;
  const auto supported = r.json()["supported"];
  for (const char* type : {"webp", "avif", "jxl", "gif"}) {
    EXPECT_NE(std::find(supported.begin(), supported.end(), type), supported.end()) << type << r.body;
  }
}

TEST(OutputTypesOverHttp, GraphsListTheOutputParametersTyped) {
  const auto graphs = http_get(output_server().url("/graphs")).json()["graphs"];
  for (const char* g : {"gradientmap", "canvas"}) {
    EXPECT_EQ(graphs[g]["inports"]["quality"]["metadata"]["type"], "int") << g;
    EXPECT_EQ(graphs[g]["inports"]["quality"]["metadata"]["maximum"], 100) << g;
    EXPECT_EQ(graphs[g]["inports"]["lossless"]["metadata"]["type"], "boolean") << g;
  }
}

}  // namespace
}  // namespace imgflo::test
