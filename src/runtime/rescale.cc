#include "runtime/rescale.h"

#include "core/text.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace imgflo::runtime {

namespace {

// One side; -1 when free.
int requested_side(const std::string& text) {
  const RequestedSide side = read_requested_side(text);
  return side.kind == RequestedSide::kPixels ? side.pixels : -1;
}

}  // namespace

RescaleRequest take_rescale_params(request::Params& params) {
  RescaleRequest req;
  std::erase_if(params, [&](const auto& p) {
    if (p.first == "width") {
      req.width = requested_side(p.second);
      return true;
    }
    if (p.first == "height") {
      req.height = requested_side(p.second);
      return true;
    }
    return false;
  });
  return req;
}

Status check_output_size(double width, double height, uint64_t max_pixels, std::string_view what) {
  const bool fits = width >= 0 && height >= 0 && width <= VIPS_MAX_COORD && height <= VIPS_MAX_COORD &&
                    width * height <= static_cast<double>(max_pixels);
  if (fits) return ok_status();
  return Error(ErrorKind::kTooLarge,
               std::string(what) + " would be over the limit of " + std::to_string(max_pixels) + " pixels",
               {{"limit_pixels", max_pixels}});
}

Result<RescalePlan> plan_rescale(int in_w, int in_h, const RescaleRequest& req, uint64_t max_pixels) {
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
  plan.in_height = in_h;
  plan.exact_width = in_w * sx;
  plan.exact_height = in_h * sy;
  // Round outward, tolerating floating-point noise on exact results.
  const double w = std::max(1.0, std::ceil(plan.exact_width - 1e-9));
  const double h = std::max(1.0, std::ceil(plan.exact_height - 1e-9));
  if (Status st = check_output_size(w, h, max_pixels, "the rescaled image"); !st.ok()) return st.take_error();
  plan.out_width = static_cast<int>(w);
  plan.out_height = static_cast<int>(h);
  return plan;
}

int shrink_on_load_factor(int in_w, int in_h, const RescalePlan& plan) {
  for (int f : {8, 4, 2}) {
    if (in_w / f >= plan.out_width && in_h / f >= plan.out_height) return f;
  }
  return 1;
}

int gegl_box_samples(double scale_x, double scale_y, bool horizontal) {
  const double inv_x = 1.0 / scale_x, inv_y = 1.0 / scale_y;
  // The box filter takes over when either axis shrinks by 2 or more.
  if (inv_x * inv_x < 4.0 && inv_y * inv_y < 4.0) return 1;
  const double inv = horizontal ? inv_x : inv_y;
  return std::clamp(static_cast<int>(std::floor(inv)), 1, kGeglMaxBoxSamples);
}

int gegl_rendered_rows(int in_h, double scale_y, int out_h) {
  // Row Y is skipped when its centre maps below in_h + 1 (the input plus the
  // linear sampler's one-pixel context); no row is when scale_y >= 1/2.
  const double last = std::floor((in_h + 1) * scale_y - 0.5);
  return static_cast<int>(std::clamp(last + 1.0, 0.0, static_cast<double>(out_h)));
}

Image rescale(const Image& img, const RescalePlan& plan) {
  const Image linear = convert(img, fmt::kRaGaBaAFloat);
  const double sx = plan.exact_width / img.width();
  const double sy = plan.exact_height / img.height();
  if (std::abs(sx - 1.0) <= 1e-12 && std::abs(sy - 1.0) <= 1e-12) {
    return place(linear, Rect{0, 0, plan.out_width, plan.out_height});
  }
  const int nx = gegl_box_samples(sx, sy, true);
  const int ny = gegl_box_samples(sx, sy, false);
  // Output pixel X samples the input at (X + 0.5) / s - 0.5 in pixel-centre
  // coordinates (libvips: X = s (x + idx) + odx); with box filtering, nx
  // samples spaced 1 / (s nx) around that centre are the pixels of an affine
  // at s nx, averaged nx at a time. Outside the input is transparent (GEGL's
  // abyss NONE), so the last partially covered row/column fades out.
  auto opt = vips::VImage::option()
                 ->set("interpolate", vips::VInterpolate::new_from_name("bilinear"))
                 ->set("idx", 0.5)
                 ->set("idy", 0.5)
                 ->set("odx", -0.5)
                 ->set("ody", -0.5)
                 ->set("oarea", std::vector<int>{0, 0, plan.out_width * nx, plan.out_height * ny})
                 ->set("extend", VIPS_EXTEND_BLACK)
                 ->set("premultiplied", true);
  vips::VImage v = linear.pixels.affine({sx * nx, 0.0, 0.0, sy * ny}, opt);
  if (nx > 1 || ny > 1) v = v.shrink(nx, ny);
  // GEGL sees the whole input: judged at its size, not the shrunk-on-load one.
  const int rows = gegl_rendered_rows(plan.in_height, plan.exact_height / plan.in_height, plan.out_height);
  if (rows == 0) {
    v = vips::VImage::black(plan.out_width, plan.out_height, vips::VImage::option()->set("bands", 4))
            .cast(VIPS_FORMAT_FLOAT);
  } else if (rows < plan.out_height) {
    v = v.extract_area(0, 0, plan.out_width, rows)
            .embed(0, 0, plan.out_width, plan.out_height, vips::VImage::option()->set("extend", VIPS_EXTEND_BLACK));
  }
  return Image{v, fmt::kRaGaBaAFloat, 0, 0};
}

}  // namespace imgflo::runtime
