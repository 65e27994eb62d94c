// Animated inputs over HTTP: an animated GIF through an imgflo graph to .gif
// or .webp stays animated in storage, with the right Content-Type; the
// animation limits read from the server's environment answer 422.
#include "e2e/e2e_util.h"

#include <vips/vips8>

#include <gtest/gtest.h>

namespace imgflo::test {
namespace {

// 8 frames of 500x500 in examples/time.gif: exactly at the pixel limit.
ServerProcess& server() {
  static ServerProcess* s = new ServerProcess("animation", {{"IMGFLO_MAX_ANIMATION_PIXELS", "2000000"}});
  return *s;
}

// The stored result of `path`, through the 301.
HttpResult stored(const std::string& path) {
  const HttpResult first = http_get(server().url(path));
  EXPECT_EQ(first.status, 301) << first.body;
  return http_get(resolve(server(), first.header("location")));
}

vips::VImage all_frames(const std::string& bytes) {
  return vips::VImage::new_from_buffer(bytes.data(), bytes.size(), "", vips::VImage::option()->set("n", -1));
}

TEST(AnimationOverHttp, GifAndWebpOutputsStayAnimated) {
  for (const std::string type : {"gif", "webp"}) {
    const HttpResult r = stored("/graph/gradientmap." + type + "?input=files%2Ftime.gif");
    ASSERT_EQ(r.status, 200) << type;
    EXPECT_EQ(r.header("content-type"), "image/" + type);
    const vips::VImage frames = all_frames(r.body);
    EXPECT_EQ(frames.get_int("n-pages"), 8) << type;
    EXPECT_EQ(frames.get_int("page-height"), 500) << type;
    EXPECT_EQ(frames.get_array_int("delay"), std::vector<int>(8, 100)) << type;
  }
}

TEST(AnimationOverHttp, PngOutputIsTheFirstFrame) {
  const HttpResult r = stored("/graph/passthrough.png?input=files%2Ftime.gif");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "image/png");
  const vips::VImage img = vips::VImage::new_from_buffer(r.body.data(), r.body.size(), "");
  EXPECT_EQ(img.width(), 500);
  EXPECT_EQ(img.height(), 500);
}

TEST(AnimationOverHttp, LimitsAnswer422) {
  const HttpResult r = http_get(server().url("/graph/passthrough.gif?width=600&input=files%2Ftime.gif"));
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.json()["error"].get<std::string>().find("IMGFLO_MAX_ANIMATION_PIXELS"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace imgflo::test
