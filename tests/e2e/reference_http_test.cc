// The original's reference cases through HTTP: the request URL exactly as
// the original's test suite sent it, following the 301 to the stored result.
#include "e2e/e2e_util.h"
#include "support/image_compare.h"
#include "support/paths.h"
#include "support/reference_cases.h"

#include <vips/vips8>

#include <gtest/gtest.h>

namespace imgflo::test {
namespace {

ServerProcess& reference_server() {
  static ServerProcess* s = new ServerProcess("reference-http");  // lives for the whole binary
  return *s;
}

// For the cases the original made while ignoring ICC profiles.
ServerProcess& legacy_colour_server() {
  static ServerProcess* s = new ServerProcess("reference-http-legacy", {{"IMGFLO_COLOR_MANAGEMENT", "legacy"}});
  return *s;
}

class ReferenceOverHttp : public testing::TestWithParam<ReferenceCase> {};

TEST_P(ReferenceOverHttp, MatchesReference) {
  const ReferenceCase& c = GetParam();
  ServerProcess& s = c.legacy_colour ? legacy_colour_server() : reference_server();
  const HttpResult first = http_get(s.url(c.url));
  ASSERT_EQ(first.status, 301) << first.body;
  const HttpResult result = http_get(resolve(s, first.header("location")));
  ASSERT_EQ(result.status, 200);
  if (c.tolerance < 0) {
    const CaseRequest req = parse_case_url(c.url);
    EXPECT_TRUE(result.body == read_file(req.input_file)) << c.name << ": not byte-identical";
    EXPECT_EQ(result.header("content-type"), "image/gif");
    return;
  }
  const Comparison cmp = compare_images(result.body, read_file(reference(c.reference)));
  EXPECT_TRUE(cmp.passes(c.tolerance)) << c.name << ": " << cmp.describe();
}

INSTANTIATE_TEST_SUITE_P(Original, ReferenceOverHttp,
                         testing::ValuesIn(reference_cases({"imgflo", "noop", "canvas"})),
                         [](const testing::TestParamInfo<ReferenceCase>& info) { return info.param.name; });

TEST(CanvasOverHttp, SolidColour) {
  const HttpResult r = http(reference_server().url("/graph/canvas.png?color=%2387a9a7"), {.follow = true});
  ASSERT_EQ(r.status, 200);
  vips::VImage img = vips::VImage::new_from_buffer(r.body.data(), r.body.size(), "");
  EXPECT_EQ(img.width(), 600);
  EXPECT_EQ(img.height(), 400);
  EXPECT_EQ(img.extract_band(0).min(), 0x87);
  EXPECT_EQ(img.extract_band(0).max(), 0x87);
  EXPECT_EQ(img.extract_band(2).max(), 0xa7);
}

}  // namespace
}  // namespace imgflo::test
