#include "runtime/rescale_opaque.h"

namespace imgflo::runtime {

Image rescale_for_opaque_output(const Image& img, const RescalePlan& plan) {
  if (img.format.has_alpha() || img.format.depth != Depth::kU8) return rescale(img, plan);
  const RescaleGeometry g = rescale_geometry(img, plan);
  if (g.copy) return place(img, Rect{0, 0, plan.out_width, plan.out_height});
  return rescale(img, plan);
}

}  // namespace imgflo::runtime
