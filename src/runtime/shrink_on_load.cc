#include "runtime/shrink_on_load.h"

#include <cmath>

namespace imgflo::runtime {

int shrunk_side(ImageType type, int side, int factor) {
  if (factor <= 1) return side;
  switch (type) {
    case ImageType::kJpeg: return (side + factor - 1) / factor;
    case ImageType::kWebp: return static_cast<int>(std::nearbyint(static_cast<double>(side) / factor));
    default: return side;
  }
}

int shrink_on_load_factor(ImageType type, int in_w, int in_h, const RescalePlan& plan) {
  if (type != ImageType::kJpeg && type != ImageType::kWebp) return 1;
  for (int f : kShrinkFactors) {
    if (shrunk_side(type, in_w, f) >= plan.out_width && shrunk_side(type, in_h, f) >= plan.out_height) return f;
  }
  return 1;
}

RescalePlan plan_for_shrunk(RescalePlan plan, ImageType type, int in_w, int in_h, int factor) {
  if (type == ImageType::kJpeg && factor > 1) {
    plan.source_width = static_cast<double>(in_w) / factor;
    plan.source_height = static_cast<double>(in_h) / factor;
  }
  return plan;
}

}  // namespace imgflo::runtime
