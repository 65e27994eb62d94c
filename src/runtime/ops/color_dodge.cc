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

namespace {

vips::VImage dodge(const BlendPlanes& p) {
  const vips::VImage rest = p.cA * (1.0 - p.aB) + p.cB * (1.0 - p.aA);
  const vips::VImage saturated = p.aA * p.aB + rest;
  const vips::VImage denominator = (p.aA == 0.0).ifthenelse(1.0, 1.0 - p.cA / p.aA);
  const vips::VImage ratio = (p.cA == p.aA).ifthenelse(1.0, p.cB * p.aA / denominator);
  const vips::VImage below = ratio + rest;
  const vips::VImage lit = (p.cA * p.aB + p.cB * p.aA) >= p.aA * p.aB;
  return clamp_between(lit.ifthenelse(saturated, below), p.aD * 0.0, p.aD);
}

}  // namespace

std::unique_ptr<Op> make_color_dodge() {
  return make_svg_blend_op("svg/color-dodge",
                           "SVG blend operation color-dodge (if cA * aB + cB * aA >= aA * aB: d = aA * aB + cA * "
                           "(1 - aB) + cB * (1 - aA) otherwise: d = (cA == aA ? 1 : cB * aA / (aA == 0 ? 1 : 1 - cA "
                           "/ aA)) + cA * (1 - aB) + cB * (1 - aA))",
                           false, dodge);
}

}  // namespace imgflo::runtime::ops
