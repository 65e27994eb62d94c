#include "runtime/rescale_drawn.h"

#include <cstdlib>

namespace imgflo::runtime {

Image rescale_drawn(const Image& drawn, const RescalePlan& plan) {
  if (std::abs(drawn.width() - plan.out_width) > 1 || std::abs(drawn.height() - plan.out_height) > 1) {
    return rescale(drawn, plan);
  }
  const Image linear = convert(drawn, fmt::kRaGaBaAFloat);
  vips::VImage v = linear.pixels;
  if (v.width() != plan.out_width || v.height() != plan.out_height) {
    v = v.embed(0, 0, plan.out_width, plan.out_height, vips::VImage::option()->set("extend", VIPS_EXTEND_BLACK));
  }
  return Image{v, fmt::kRaGaBaAFloat, 0, 0};
}

}  // namespace imgflo::runtime
