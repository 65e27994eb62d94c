#include "runtime/fit.h"

#include "runtime/vips_eval.h"

#include <algorithm>

namespace imgflo::runtime {

namespace {

// The cover window on the scaled image.
Image cut(const Image& scaled, const RescalePlan& plan) {
  return Image{scaled.pixels.extract_area(plan.offset_x, plan.offset_y, plan.box_width, plan.box_height),
               scaled.format, 0, 0};
}

// The scaled image over a box of `pad`, in premultiplied linear light:
// out = image + pad x (1 - image alpha); outside the image its alpha is 0.
Image pad_around(const Image& scaled, const RescalePlan& plan, const Color& pad) {
  const Image img = convert(scaled, fmt::kRaGaBaAFloat);
  const vips::VImage placed =
      img.pixels.embed(plan.offset_x, plan.offset_y, plan.box_width, plan.box_height,
                       vips::VImage::option()->set("extend", VIPS_EXTEND_BLACK));
  if (pad.a <= 0) return Image{placed, fmt::kRaGaBaAFloat, 0, 0};
  const vips::VImage uncovered = placed.extract_band(3).linear(-1.0, 1.0);
  const vips::VImage under = uncovered.linear({pad.r * pad.a, pad.g * pad.a, pad.b * pad.a, pad.a}, {0, 0, 0, 0});
  return Image{placed + under, fmt::kRaGaBaAFloat, 0, 0};
}

// The top-left width x height of `scaled` as 8-bit sRGB in memory, computed
// under `stop` (the hook goes on the image that is computed, as
// OpContext::materialize does).
Result<vips::VImage> analysis_image(const Image& scaled, int width, int height, const Stop& stop) {
  vips::VImage u8;
  try {
    const Image area{scaled.pixels.extract_area(0, 0, width, height), scaled.format, 0, 0};
    u8 = convert(area, fmt::kRpGpBpU8)
             .pixels.copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
  } catch (const vips::VError&) {
    return Error(ErrorKind::kProcessingFailed, "choosing the smart crop failed");
  }
  vips::VImage analysed;
  if (Status st = evaluate(u8, stop, "choosing the smart crop", [&] { analysed = u8.copy_memory(); }); !st.ok()) {
    return st.take_error();
  }
  return analysed;
}

}  // namespace

bool keeps_alpha(std::string_view out_type) { return out_type != "jpg" && out_type != "jpeg"; }

Color pad_colour(const Color& background, bool output_keeps_alpha) {
  if (output_keeps_alpha) return background;
  const double a = std::clamp(background.a, 0.0, 1.0);
  auto over_white = [a](double c) { return c * a + (1.0 - a); };
  return Color{over_white(background.r), over_white(background.g), over_white(background.b), 1.0};
}

bool needs_smart_crop(const RescalePlan& plan) {
  return plan.fit == Fit::kCover && plan.gravity == Gravity::kSmart;
}

Status resolve_smart_crop(const Image& scaled, RescalePlan& plan, const Stop& stop) {
  if (!needs_smart_crop(plan)) return ok_status();
  const int width = std::min(plan.cover_width, scaled.width());
  const int height = std::min(plan.cover_height, scaled.height());
  if (width < plan.box_width || height < plan.box_height) {
    return Error(ErrorKind::kProcessingFailed, "the scaled image is smaller than the requested box");
  }
  auto analysed = analysis_image(scaled, width, height, stop);
  if (!analysed.ok()) return analysed.take_error();
  vips::VImage window;
  Status st = evaluate(*analysed, stop, "choosing the smart crop", [&] {
    window = analysed->smartcrop(plan.box_width, plan.box_height,
                                vips::VImage::option()->set("interesting", VIPS_INTERESTING_ATTENTION));
  });
  if (!st.ok()) return st;
  // libvips marks the window's origin as a negative offset of the cut image.
  plan.offset_x = std::clamp(-window.xoffset(), 0, width - plan.box_width);
  plan.offset_y = std::clamp(-window.yoffset(), 0, height - plan.box_height);
  return ok_status();
}

Result<Image> fit_to_box(const Image& scaled, const RescalePlan& plan, const Color& pad) {
  if (plan.fit != Fit::kCover && plan.fit != Fit::kContain) return scaled;
  if (scaled.width() != plan.out_width || scaled.height() != plan.out_height) {
    return Error(ErrorKind::kProcessingFailed, "the scaled image is not the planned size");
  }
  try {
    return plan.fit == Fit::kCover ? cut(scaled, plan) : pad_around(scaled, plan, pad);
  } catch (const vips::VError&) {
    return Error(ErrorKind::kProcessingFailed, "fitting the image to the requested box failed");
  }
}

}  // namespace imgflo::runtime
