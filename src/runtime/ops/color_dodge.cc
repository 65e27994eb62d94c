// svg/color-dodge: GEGL's SVG 1.2 (2004 draft) colour dodge, source A = aux
// over backdrop B = input, premultiplied, per colour channel:
//   if cA aB + cB aA >= aA aB:  cD = aA aB + cA (1 - aB) + cB (1 - aA)
//   otherwise:                  cD = (cA == aA ? 1 : cB aA / (1 - cA / aA))
//                                    + cA (1 - aB) + cB (1 - aA)
//   (the division's denominator is taken as 1 when aA = 0), then clamped to
//   [0, aD], aD = aA + aB - aA aB.
// GEGL 0.3.10 composites in "RaGaBaA float", or "R'aG'aB'aA float" with
// srgb = true, whatever the pads' models (0.4.42 would use the backdrop's
// model); svg_blend.h does that. Default srgb false.
#include "runtime/ops/svg_blend.h"

namespace imgflo::runtime::ops {

float color_dodge_channel(float cA, float aA, float cB, float aB, float aD) {
  const float rest = cA * one_minus(aB) + cB * one_minus(aA);
  const float saturated = aA * aB + rest;
  const float denominator = aA == 0.0f ? 1.0f : one_minus(divide_or_zero(cA, aA));
  const float ratio = cA == aA ? 1.0f : divide_or_zero(cB * aA, denominator);
  const float below = ratio + rest;
  const bool lit = (cA * aB + cB * aA) >= aA * aB;
  return clamp_between(lit ? saturated : below, 0.0f * aD + 0.0f, aD);
}

std::unique_ptr<Op> make_color_dodge() {
  return make_svg_blend_op("svg/color-dodge",
                           "SVG blend operation color-dodge (if cA * aB + cB * aA >= aA * aB: d = aA * aB + cA * "
                           "(1 - aB) + cB * (1 - aA) otherwise: d = (cA == aA ? 1 : cB * aA / (aA == 0 ? 1 : 1 - cA "
                           "/ aA)) + cA * (1 - aB) + cB * (1 - aA))",
                           false, color_dodge_channel);
}

}  // namespace imgflo::runtime::ops
