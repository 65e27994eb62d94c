// The graph catalogue: every bundled graph loads, and inports carry typed
// metadata generated from the op registry's property specs.
#include "app/runtimes.h"
#include "runtime/catalogue.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <fstream>

namespace imgflo::runtime {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

std::unique_ptr<Catalogue> load_dir(const fs::path& dir) {
  auto c = Catalogue::load(dir, app::builtin_runtimes());
  if (!c.ok()) ADD_FAILURE() << c.error().message();
  return c.ok() ? std::move(*c) : nullptr;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

TEST(Catalogue, LoadsEveryBundledGraph) {
  auto cat = load_dir(test::graph_dir());
  ASSERT_TRUE(cat);
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(test::graph_dir())) {
    if (e.path().extension() == ".json" || e.path().extension() == ".fbp") ++files;
  }
  EXPECT_EQ(cat->names().size(), files);
  for (const char* name : {"passthrough", "crop", "customgrey", "noop"}) {
    EXPECT_TRUE(cat->find(name).ok()) << name;
  }
}

TEST(Catalogue, CropParametersAreTyped) {
  auto cat = load_dir(test::graph_dir());
  ASSERT_TRUE(cat);
  const ojson& crop = cat->listing()["graphs"]["crop"];
  const ojson& in = crop["inports"];
  EXPECT_EQ(in["input"]["metadata"]["type"], "buffer");
  EXPECT_EQ(in["cropwidth"]["metadata"]["type"], "number");
  EXPECT_EQ(in["cropwidth"]["metadata"]["default"], 10.0);
  EXPECT_EQ(in["x"]["metadata"]["default"], 0.0);
  EXPECT_FALSE(in["x"]["metadata"].contains("minimum"));  // unbounded doubles have no range
  EXPECT_EQ(in["width"]["metadata"]["type"], "int");      // universal rescale parameters
  EXPECT_EQ(in["height"]["metadata"]["maximum"], 2000);
  EXPECT_EQ(crop["processes"]["crop"]["component"], "gegl/crop");
}

TEST(Catalogue, IipDefaultsWinAndEnumsListAllValues) {
  const fs::path dir = test::scratch_dir("catalogue-iip");
  write(dir / "g.json", R"({
    "inports": {"input": {"process": "o", "port": "input"},
                "v": {"process": "o", "port": "value"},
                "srgb": {"process": "b", "port": "srgb", "metadata": {"description": "mine"}}},
    "outports": {"output": {"process": "b", "port": "output"}},
    "processes": {"o": {"component": "gegl/opacity"}, "b": {"component": "svg/src-over"}},
    "connections": [{"data": "0.25", "tgt": {"process": "o", "port": "value"}},
                    {"src": {"process": "o", "port": "output"}, "tgt": {"process": "b", "port": "input"}}]})");
  auto cat = load_dir(dir);
  ASSERT_TRUE(cat);
  const ojson& in = cat->listing()["graphs"]["g"]["inports"];
  EXPECT_EQ(in["v"]["metadata"]["default"], 0.25);
  EXPECT_EQ(in["v"]["metadata"]["minimum"], -10.0);
  EXPECT_EQ(in["v"]["metadata"]["maximum"], 10.0);
  EXPECT_EQ(in["srgb"]["metadata"]["type"], "boolean");
  EXPECT_EQ(in["srgb"]["metadata"]["description"], "mine");  // the graph file's metadata is kept
}

TEST(Catalogue, BadGraphFailsTheLoadNamingTheFile) {
  const fs::path dir = test::scratch_dir("catalogue-bad");
  write(dir / "ok.fbp", "INPORT=a.INPUT:INPUT\nOUTPORT=a.OUTPUT:OUTPUT\na(gegl/nop)\n");
  write(dir / "bad.fbp", "INPORT=a.INPUT:INPUT\nOUTPORT=a.OUTPUT:OUTPUT\na(gegl/unknown)\n");
  write(dir / "weird.json", R"({"properties": {"environment": {"type": "java"}}})");
  auto c = Catalogue::load(dir, app::builtin_runtimes());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("bad.fbp"), std::string::npos) << c.error().message();
  EXPECT_NE(c.error().message().find("gegl/unknown"), std::string::npos);
  EXPECT_NE(c.error().message().find("unknown runtime \"java\""), std::string::npos);
}

TEST(Catalogue, ChecksReturnTheOriginalErrors) {
  auto cat = load_dir(test::graph_dir());
  ASSERT_TRUE(cat);
  EXPECT_EQ(cat->find("nope").error().kind(), ErrorKind::kNotFound);
  const GraphEntry* crop = *cat->find("crop");
  RunRequest req;
  req.out_type = "png";
  req.input = "x";
  req.params = {{"x", "1"}, {"width", "5"}};
  EXPECT_TRUE(cat->check(*crop, req).ok());
  req.params.push_back({"frobnicate", "1"});
  Status unknown = cat->check(*crop, req);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().status(), 449);
  EXPECT_TRUE(unknown.error().details().contains("inports"));  // the graph description, as the original
  req.params.pop_back();
  req.out_type = "svg";
  Status type = cat->check(*crop, req);
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.error().status(), 449);
  EXPECT_EQ(type.error().to_json()["supported"],
      (nlohmann::json{"jpg", "jpeg", "png", "gif", "webp", "avif", "jxl", "mp4"}));
  req.out_type = "JPG";  // not normalised, as the original
  EXPECT_FALSE(cat->check(*crop, req).ok());
}

}  // namespace
}  // namespace imgflo::runtime
