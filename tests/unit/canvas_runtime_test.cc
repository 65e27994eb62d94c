// The canvas runtime end to end through the catalogue: the canvas and
// delaunay_triangles graphs, sizes, input images, output formats, errors and
// the catalogue listing.
#include "app/runtimes.h"
#include "runtime/catalogue.h"
#include "support/image_compare.h"
#include "support/paths.h"
#include "support/pixels.h"

#include <gtest/gtest.h>
#include <vips/vips8>

#include <thread>

namespace imgflo::test {
namespace {

namespace rt = runtime;

const rt::Catalogue& catalogue() { return bundled_catalogue(); }

Result<rt::Output> run(const std::string& graph, const std::string& type, request::Params params,
                       const std::string* input = nullptr, rt::DecodeLimits limits = {}) {
  auto entry = catalogue().find(graph);
  if (!entry.ok()) return entry.take_error();
  rt::RunRequest req;
  req.out_type = type;
  req.params = std::move(params);
  req.limits = limits;
  if (input) req.input = *input;
  return (*entry)->executable->run(req);
}

vips::VImage decoded(const rt::Output& out) {
  return vips::VImage::new_from_buffer(out.bytes.data(), out.bytes.size(), "");
}

// Every pixel has exactly these band values.
void expect_solid(const vips::VImage& img, const std::vector<double>& bands) {
  ASSERT_EQ(img.bands(), static_cast<int>(bands.size()));
  for (int b = 0; b < img.bands(); ++b) {
    const vips::VImage band = img.extract_band(b);
    EXPECT_EQ(band.min(), bands[b]) << "band " << b;
    EXPECT_EQ(band.max(), bands[b]) << "band " << b;
  }
}

TEST(CanvasRuntime, CanvasGraphIsASolidColour) {
  auto out = run("canvas", "png", {{"color", "#87a9a7"}});
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(out->content_type, "image/png");
  const auto img = decoded(*out);
  EXPECT_EQ(img.width(), 600);
  EXPECT_EQ(img.height(), 400);
  expect_solid(img, {0x87, 0xa9, 0xa7, 255});
}

TEST(CanvasRuntime, CanvasDefaultsAndCssColours) {
  auto def = run("canvas", "png", {});  // the graph's IIP colour
  ASSERT_TRUE(def.ok());
  expect_solid(decoded(*def), {255, 0, 255, 255});
  for (const auto& [css, rgb] : std::vector<std::pair<std::string, std::vector<double>>>{
           {"rgb(10, 20, 300)", {10, 20, 255, 255}}, {"orange", {255, 165, 0, 255}}, {"#0f0", {0, 255, 0, 255}},
           {"hsl(240, 100%, 50%)", {0, 0, 255, 255}}}) {
    auto out = run("canvas", "png", {{"color", css}, {"width", "8"}, {"height", "8"}});
    ASSERT_TRUE(out.ok()) << css;
    SCOPED_TRACE(css);
    expect_solid(decoded(*out), rgb);
  }
}

// canvas/Draw clears first (clearevery), so a translucent colour stays translucent.
TEST(CanvasRuntime, TranslucentFillOverClearedCanvas) {
  auto out = run("canvas", "png", {{"color", "rgba(255, 0, 0, 0.5)"}, {"width", "4"}, {"height", "4"}});
  ASSERT_TRUE(out.ok());
  expect_solid(decoded(*out), {255, 0, 0, 128});
}

TEST(CanvasRuntime, WidthAndHeight) {
  auto out = run("delaunay_triangles", "png", {{"seed", "x"}, {"width", "320"}, {"height", "90"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(decoded(*out).width(), 320);
  EXPECT_EQ(decoded(*out).height(), 90);
  auto def = run("delaunay_triangles", "png", {{"seed", "x"}});
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(decoded(*def).width(), 600);
  EXPECT_EQ(decoded(*def).height(), 400);
}

TEST(CanvasRuntime, DelaunayMatchesReferenceAndIsDeterministic) {
  auto a = run("delaunay_triangles", "png", {{"seed", "foobar"}, {"width", "100"}, {"height", "100"}});
  ASSERT_TRUE(a.ok()) << a.error().message();
  const Comparison cmp = compare_images(a->bytes, read_file(reference("delaunay_triangles_foobar100.reference.png")));
  std::cout << "delaunay_triangles_foobar100: " << cmp.describe() << "\n";
  EXPECT_TRUE(cmp.passes(20)) << cmp.describe();
  auto b = run("delaunay_triangles", "png", {{"seed", "foobar"}, {"width", "100"}, {"height", "100"}});
  auto c = run("delaunay_triangles", "png", {{"seed", "foobaz"}, {"width", "100"}, {"height", "100"}});
  ASSERT_TRUE(b.ok() && c.ok());
  EXPECT_EQ(a->bytes, b->bytes);
  EXPECT_NE(a->bytes, c->bytes);
}

// node-canvas's JPEG: baseline (SOF0), 2x2 luma sampling (4:2:0), quality 75 (DQT[0] = 8).
TEST(CanvasRuntime, JpegHasNodeCanvasDefaults) {
  auto out = run("canvas", "jpeg", {{"color", "#87a9a7"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->extension, "jpg");
  EXPECT_EQ(out->content_type, "image/jpeg");
  const std::string& j = out->bytes;
  const size_t sof0 = j.find("\xff\xc0");
  ASSERT_NE(sof0, std::string::npos) << "no baseline frame header";
  EXPECT_EQ(j.find("\xff\xc2"), std::string::npos) << "progressive";
  EXPECT_EQ(static_cast<unsigned char>(j[sof0 + 11]), 0x22) << "luma sampling factors";
  const size_t dqt = j.find("\xff\xdb");
  ASSERT_NE(dqt, std::string::npos);
  EXPECT_EQ(static_cast<unsigned char>(j[dqt + 5]), 8) << "first luminance quantiser";
  const auto img = decoded(*out);
  EXPECT_EQ(img.width(), 600);
  EXPECT_LE(std::abs(img.extract_band(0).avg() - 0x87), 1.0);
}

// A graph that only passes the canvas through shows what the runtime made of the input.
class CanvasInputTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(scratch_dir("canvas-input-graphs"));
    write_file(*dir_ / "show.json", R"({"properties": {"environment": {"type": "noflo-browser"}},
      "inports": {"canvas": {"process": "s", "port": "in"}}, "outports": {"output": {"process": "s", "port": "out"}},
      "processes": {"s": {"component": "core/Split"}}, "connections": []})");
    auto c = rt::Catalogue::load(*dir_, app::builtin_runtimes());
    ASSERT_TRUE(c.ok()) << c.error().message();
    cat_ = c->release();
  }
  static void TearDownTestSuite() {
    delete cat_;
    delete dir_;
  }
  Result<rt::Output> show(const std::string& input, request::Params params) {
    rt::RunRequest req;
    req.out_type = "png";
    req.input = input;
    req.params = std::move(params);
    return (*cat_->find("show"))->executable->run(req);
  }
  static inline std::filesystem::path* dir_ = nullptr;
  static inline rt::Catalogue* cat_ = nullptr;
};

TEST_F(CanvasInputTest, CanvasStartsFromTheInput) {
  const std::string input = read_file(example("gradient-black-white.png"));
  auto out = show(input, {});
  ASSERT_TRUE(out.ok()) << out.error().message();
  const Comparison cmp = compare_images(out->bytes, input);
  EXPECT_TRUE(cmp.passes(0.5)) << cmp.describe();  // 8-bit round trip through Cairo's premultiplied pixels
}

TEST_F(CanvasInputTest, OneSideKeepsTheAspect) {
  const std::string input = read_file(example("grid-toastybob.jpg"));
  const auto in = vips::VImage::new_from_buffer(input.data(), input.size(), "");
  auto out = show(input, {{"width", "200"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(decoded(*out).width(), 200);
  EXPECT_EQ(decoded(*out).height(), static_cast<int>(std::lround(in.height() * 200.0 / in.width())));
  auto both = show(input, {{"width", "50"}, {"height", "70"}});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(decoded(*both).width(), 50);
  EXPECT_EQ(decoded(*both).height(), 70);
}

TEST(CanvasRuntime, InputImageSizesTheCanvasGraph) {
  const std::string input = read_file(example("mountains.png"));
  const auto in = vips::VImage::new_from_buffer(input.data(), input.size(), "");
  auto out = run("canvas", "png", {{"color", "#123456"}}, &input);
  ASSERT_TRUE(out.ok());
  const auto img = decoded(*out);
  EXPECT_EQ(img.width(), in.width());
  EXPECT_EQ(img.height(), in.height());
  expect_solid(img, {0x12, 0x34, 0x56, 255});
}

TEST(CanvasRuntime, Errors) {
  auto unknown = run("canvas", "png", {{"colour", "red"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind(), ErrorKind::kUnknownParameter);
  auto hidden = run("canvas", "png", {{"canvas", "x"}});
  ASSERT_FALSE(hidden.ok());
  EXPECT_EQ(hidden.error().kind(), ErrorKind::kUnknownParameter);
  auto colour = run("canvas", "png", {{"color", "not-a-colour"}});
  ASSERT_FALSE(colour.ok());
  EXPECT_EQ(colour.error().kind(), ErrorKind::kInvalidArgument);
  auto type = run("canvas", "bmp", {});
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.error().kind(), ErrorKind::kUnsupportedType);
  auto big = run("delaunay_triangles", "png", {{"width", "2000"}, {"height", "2000"}}, nullptr, {1'000'000});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().kind(), ErrorKind::kTooLarge);
  const std::string garbage = "not an image at all";
  auto bad_input = run("canvas", "png", {}, &garbage);
  ASSERT_FALSE(bad_input.ok());
  EXPECT_EQ(bad_input.error().kind(), ErrorKind::kUndecodable);
}

TEST(CanvasRuntime, DeadlineStopsTheRun) {
  auto entry = catalogue().find("delaunay_triangles");
  ASSERT_TRUE(entry.ok());
  rt::RunRequest req;
  req.out_type = "png";
  req.params = {{"seed", "late"}};
  req.stop.deadline = Deadline::after(std::chrono::milliseconds(-1));
  auto out = (*entry)->executable->run(req);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind(), ErrorKind::kTimeout);
}

TEST(CanvasRuntime, CatalogueListsTypedParameters) {
  const auto& graphs = catalogue().listing().at("graphs");
  const auto& canvas = graphs.at("canvas").at("inports");
  EXPECT_FALSE(canvas.contains("canvas"));
  EXPECT_EQ(canvas.at("color").at("metadata").at("type"), "color");
  EXPECT_EQ(canvas.at("color").at("metadata").at("default"), "#ff00ff");
  EXPECT_EQ(canvas.at("width").at("metadata").at("type"), "int");
  EXPECT_EQ(canvas.at("height").at("metadata").at("type"), "int");
  EXPECT_EQ(canvas.at("input").at("metadata").at("type"), "buffer");
  const auto& delaunay = graphs.at("delaunay_triangles").at("inports");
  EXPECT_FALSE(delaunay.contains("canvas"));
  EXPECT_EQ(delaunay.at("seed").at("metadata").at("type"), "string");
  EXPECT_EQ(delaunay.at("input").at("metadata").at("type"), "buffer");
}

TEST(CanvasRuntime, ConcurrentRunsAgree) {
  auto reference = run("delaunay_triangles", "png", {{"seed", "threads"}});
  ASSERT_TRUE(reference.ok());
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      auto out = run("delaunay_triangles", "png", {{"seed", "threads"}});
      if (out.ok()) results[i] = out->bytes;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, reference->bytes);
}

}  // namespace
}  // namespace imgflo::test
