// Executable::result_may_have_alpha on the bundled graphs: what the format
// negotiation's PNG fallback (request/negotiate.h) is decided from.
#include "support/pixels.h"

#include <gtest/gtest.h>

namespace imgflo::test {
namespace {

bool may_have_alpha(const std::string& graph) {
  auto entry = bundled_catalogue().find(graph);
  EXPECT_TRUE(entry.ok()) << graph;
  return entry.ok() && (*entry)->executable->result_may_have_alpha();
}

TEST(ResultAlpha, GraphsThatMakeTransparency) {
  EXPECT_TRUE(may_have_alpha("croprotate")) << "gegl/rotate-on-center leaves transparent corners";
  EXPECT_TRUE(may_have_alpha("canvas")) << "a canvas may be translucent";
}

TEST(ResultAlpha, GraphsThatKeepTheInputsAlphaOnly) {
  // gradientmap, halodarken, motionblur and retro composite an opacity-weighted layer over the input.
  for (const char* graph : {"passthrough", "crop", "gradientmap", "halodarken", "motionblur", "retro", "gaussianblur",
                            "desaturate", "customgrey", "enhancelowres", "noop"}) {
    EXPECT_FALSE(may_have_alpha(graph)) << graph;
  }
}

}  // namespace
}  // namespace imgflo::test
