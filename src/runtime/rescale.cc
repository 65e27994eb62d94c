#include "runtime/rescale.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace imgflo::runtime {

namespace {

int lenient_int(const std::string& s) {
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (end == s.c_str()) return 0;
  return static_cast<int>(std::clamp<long>(v, -1, 1'000'000));
}

}  // namespace

RescaleRequest take_rescale_params(Params& params) {
  RescaleRequest req;
  std::erase_if(params, [&](const auto& p) {
    if (p.first == "width") {
      req.width = lenient_int(p.second);
      return true;
    }
    if (p.first == "height") {
      req.height = lenient_int(p.second);
      return true;
    }
    return false;
  });
  return req;
}

RescalePlan plan_rescale(int in_w, int in_h, const RescaleRequest& req) {
  RescalePlan plan;
  double sx = 1.0, sy = 1.0;
  if (req.width > 0 && req.height > 0) {
    sx = static_cast<double>(req.width) / in_w;
    sy = static_cast<double>(req.height) / in_h;
  } else if (req.width > 0) {
    sx = sy = static_cast<double>(req.width) / in_w;
  } else if (req.height > 0) {
    sx = sy = static_cast<double>(req.height) / in_h;
  }
  plan.exact_width = in_w * sx;
  plan.exact_height = in_h * sy;
  // Round outward, tolerating floating-point noise on exact results.
  plan.out_width = std::max(1, static_cast<int>(std::ceil(plan.exact_width - 1e-9)));
  plan.out_height = std::max(1, static_cast<int>(std::ceil(plan.exact_height - 1e-9)));
  return plan;
}

int shrink_on_load_factor(int in_w, int in_h, const RescalePlan& plan) {
  for (int f : {8, 4, 2}) {
    if (in_w / f >= plan.out_width && in_h / f >= plan.out_height) return f;
  }
  return 1;
}

Image rescale(const Image& img, const RescalePlan& plan) {
  const Image linear = convert(img, fmt::kRaGaBaAFloat);
  const double sx = plan.exact_width / img.width();
  const double sy = plan.exact_height / img.height();
  vips::VImage v = linear.pixels;
  if (std::abs(sx - 1.0) > 1e-12 || std::abs(sy - 1.0) > 1e-12) {
    v = v.resize(sx, vips::VImage::option()->set("vscale", sy)->set("kernel", VIPS_KERNEL_LINEAR));
  }
  if (v.width() != plan.out_width || v.height() != plan.out_height) {
    // Rounded outward: the uncovered part of the last row/column is transparent.
    v = v.embed(0, 0, plan.out_width, plan.out_height, vips::VImage::option()->set("extend", VIPS_EXTEND_BLACK));
  }
  return Image{v, fmt::kRaGaBaAFloat, 0, 0};
}

}  // namespace imgflo::runtime
