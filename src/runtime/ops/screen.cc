// svg/screen: SVG 1.2 "screen" blend of the source (aux) onto the backdrop
// (input), on premultiplied values:
//   cD = clamp(cA + cB - cA * cB, 0, aD),   aD = aA + aB - aA * aB
// GEGL 0.3.10 composites every svg:* op in RGBA float: linear premultiplied
// "RaGaBaA float", or "R'aG'aB'aA float" when srgb is true (default false);
// see svg_blend.h for extents and the missing-aux pass-through.
#include "runtime/ops/svg_blend.h"

namespace imgflo::runtime::ops {

std::unique_ptr<Op> make_screen() {
  return make_svg_blend_op("svg/screen", "SVG blend operation screen (d = cA + cB - cA * cB)", false,
                           [](const BlendPlanes& p) {
                             const vips::VImage sum = p.cA + p.cB - p.cA * p.cB;
                             return clamp_between(sum, p.aD.new_from_image(0.0), p.aD);
                           });
}

}  // namespace imgflo::runtime::ops
