// svg/src-over: source (aux) over backdrop (input), premultiplied:
//   cD = cA + cB (1 - aA)
#include "runtime/ops/svg_blend.h"

namespace imgflo::runtime::ops {

float src_over_channel(float cA, float aA, float cB, float /*aB*/, float /*aD*/) { return cA + cB * one_minus(aA); }

std::unique_ptr<Op> make_src_over() {
  return make_svg_blend_op("svg/src-over", "Porter Duff operation src-over (d = cA + cB * (1 - aA))", false,
                           src_over_channel);
}

}  // namespace imgflo::runtime::ops
