// Real-world inputs over HTTP: EXIF-oriented photos come out upright (crop
// x/y and width refer to the upright image) and embedded ICC profiles are
// applied — or ignored when the server runs with IMGFLO_COLOR_MANAGEMENT=legacy.
// Inputs are the test corpus (support/input_corpus.h), served as files/NAME.
#include "e2e/e2e_util.h"
#include "support/image_compare.h"
#include "support/input_corpus.h"
#include "support/paths.h"
#include "support/pixels.h"

#include <gtest/gtest.h>

namespace imgflo::test {
namespace {

// A server whose files/ are the corpus folder (the files are built first).
ServerProcess* corpus_server(const std::string& name, const std::string& colour) {
  const auto dir = corpus::upright_png().parent_path().string();
  corpus::oriented(6);
  corpus::tagged("AdobeRGB1998", "jpg");
  return new ServerProcess(name, {{"IMGFLO_RESOURCE_DIR", dir}, {"IMGFLO_COLOR_MANAGEMENT", colour}});
}

class RealWorldInputs : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    icc_ = corpus_server("inputs-icc", "icc");
    legacy_ = corpus_server("inputs-legacy", "legacy");
  }
  static void TearDownTestSuite() {
    delete icc_;
    delete legacy_;
  }
  static std::string get(ServerProcess& s, const std::string& path) {
    const HttpResult r = http(s.url(path), {.follow = true});
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.body;
  }
  static ServerProcess* icc_;
  static ServerProcess* legacy_;
};
ServerProcess* RealWorldInputs::icc_ = nullptr;
ServerProcess* RealWorldInputs::legacy_ = nullptr;

TEST_F(RealWorldInputs, PortraitPhotoComesOutUpright) {
  const std::string out = get(*icc_, "/graph/passthrough.png?input=files/orientation-6.jpg");
  const Comparison c = compare_images(out, read_file(corpus::upright_png()));
  const Comparison vips = compare_files(corpus::vips_autorot(6), corpus::upright_png());
  ASSERT_TRUE(c.same_size) << c.describe();
  EXPECT_LE(c.mean_delta, vips.mean_delta + 0.5) << c.describe() << "; vips autorot " << vips.describe();
  const Pixels small = decode_pixels(get(*icc_, "/graph/passthrough.png?input=files/orientation-6.jpg&width=300"));
  EXPECT_EQ(small.width, 300);
  EXPECT_EQ(small.height, 209);
}

TEST_F(RealWorldInputs, CropCoordinatesReferToTheUprightImage) {
  const std::string out =
      get(*icc_, "/graph/crop.png?input=files/orientation-6.jpg&x=400&y=100&cropwidth=200&cropheight=150");
  const std::string expected = (scratch_dir("upright-crop") / "crop.png").string();
  corpus::run_tool({"vips", "extract_area", corpus::upright_png().string(), expected, "400", "100", "200", "150"});
  const Comparison c = compare_images(out, read_file(expected));
  ASSERT_TRUE(c.same_size) << c.describe();
  EXPECT_LE(c.mean_delta, 1.0) << c.describe();
}

TEST_F(RealWorldInputs, EmbeddedProfileIsAppliedUnlessLegacy) {
  const std::string path = "/graph/passthrough.png?input=files/tagged-AdobeRGB1998.jpg";
  const std::string truth = read_file(corpus::upright_png());
  const Comparison managed = compare_images(get(*icc_, path), truth);
  const Comparison legacy = compare_images(get(*legacy_, path), truth);
  const Comparison vips = compare_files(corpus::vips_to_srgb(corpus::tagged("AdobeRGB1998", "jpg")), corpus::upright_png());
  EXPECT_LE(managed.mean_delta, vips.mean_delta + 0.5) << managed.describe() << "; vips " << vips.describe();
  EXPECT_GT(legacy.mean_delta, managed.mean_delta + 0.5) << legacy.describe();
}

}  // namespace
}  // namespace imgflo::test
