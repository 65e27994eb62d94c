// restrict_vips_loaders() (called by app::init_vips, as in every binary and
// test main): libvips loaders outside the allow-list are blocked for the whole
// process, whichever way they are reached; the allow-listed ones work.
#include "runtime/codec.h"
#include "support/format_corpus.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <functional>

namespace imgflo::runtime {
namespace {

using vips::VImage;
using vips::VSource;

// Valid inputs for loaders we never allow: each would load if not blocked.
const std::string kPpm = std::string("P6\n1 1\n255\n\x10\x20\x30", 14);
const std::string kMatrix = "2 2\n1 2\n3 4\n";
const std::string kCsv = "1,2\n3,4\n";

VImage from_source(const std::string& bytes) {
  return VImage::new_from_source(VSource::new_from_memory(bytes.data(), bytes.size()), "");
}

std::string failure(const std::function<VImage()>& load) {
  try {
    (void)load().avg();
  } catch (const vips::VError& e) {
    return e.what();
  }
  return "";
}

TEST(VipsLoaderBlock, LoadersOutsideTheAllowListAreBlocked) {
  const std::string dir = test::scratch_dir("loader-block").string();
  test::write_file(dir + "/m.mat", kMatrix);
  test::write_file(dir + "/p.ppm", kPpm);
  const std::string svg = test::read_file(test::format_file("happy-kitten.svg"));
  test::write_file(dir + "/k.svg", svg);
  const std::vector<std::pair<std::string, std::function<VImage()>>> blocked = {
      {"ppm source", [&] { return from_source(kPpm); }},
      {"ppm file", [&] { return VImage::new_from_file((dir + "/p.ppm").c_str()); }},
      {"matrix file", [&] { return VImage::matrixload((dir + "/m.mat").c_str()); }},
      {"matrix source", [&] { return from_source(kMatrix); }},
      {"csv source", [&] { return VImage::csvload_source(VSource::new_from_memory(kCsv.data(), kCsv.size())); }},
      {"svg file", [&] { return VImage::svgload((dir + "/k.svg").c_str()); }},
      {"svg source", [&] { return from_source(svg); }},
      {"jxl file", [&] { return VImage::jxlload(test::format_file("gridbear.jxl").c_str()); }},
  };
  for (const auto& [what, load] : blocked) {
    const std::string error = failure(load);
    EXPECT_NE(error.find("blocked"), std::string::npos) << what << ": " << error;
  }
}

TEST(VipsLoaderBlock, AllowListedLoadersWork) {
  const std::string svg = test::read_file(test::format_file("happy-kitten.svg"));
  VipsBlob* blob = vips_blob_copy(svg.data(), svg.size());
  EXPECT_EQ(VImage::svgload_buffer(blob).width(), 744);
  vips_area_unref(VIPS_AREA(blob));
  EXPECT_EQ(VImage::new_from_file(test::format_file("gridbear.heic").c_str()).width(), 150);
  EXPECT_EQ(VImage::new_from_file(test::format_file("gridbear.tif").c_str()).width(), 150);
  EXPECT_EQ(VImage::new_from_file(test::example("mountains.png").c_str()).width(), 1440);
}

}  // namespace
}  // namespace imgflo::runtime
