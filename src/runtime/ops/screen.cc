// svg/screen: SVG 1.2 "screen" blend of the source (aux) onto the backdrop
// (input), on premultiplied values:
//   cD = clamp(cA + cB - cA * cB, 0, aD),   aD = aA + aB - aA * aB
// GEGL 0.3.10 composites every svg:* op in RGBA float: linear premultiplied
// "RaGaBaA float", or "R'aG'aB'aA float" when srgb is true (default false);
// see svg_blend.h for extents and the missing-aux pass-through.
#include "runtime/ops/svg_blend.h"

namespace imgflo::runtime::ops {

float screen_channel(float cA, float /*aA*/, float cB, float /*aB*/, float aD) {
  return clamp_between((cA + cB) - cA * cB, 0.0f, aD);
}

std::unique_ptr<Op> make_screen() {
  return make_svg_blend_op("svg/screen", "SVG blend operation screen (d = cA + cB - cA * cB)", false, screen_channel);
}

}  // namespace imgflo::runtime::ops
