// svg/src-over: source (aux) over backdrop (input), premultiplied:
//   cD = cA + cB (1 - aA)
#include "runtime/ops/svg_blend.h"

namespace imgflo::runtime::ops {

std::unique_ptr<Op> make_src_over() {
  return make_svg_blend_op("svg/src-over", "Porter Duff operation src-over (d = cA + cB * (1 - aA))", false,
                           [](const BlendPlanes& p) { return p.cA + p.cB * (1.0 - p.aA); });
}

}  // namespace imgflo::runtime::ops
