// Cover's cut and contain's padding: the step after rescale() that brings the
// scaled image to the box of a `fit=cover|contain` request (runtime/rescale.h
// plans the sizes and offsets; this file only applies them).
//
// All functions are thread-safe; the images they return are lazy pipelines,
// except that resolve_smart_crop() evaluates the scaled image once.
#pragma once

#include "core/color.h"
#include "core/deadline.h"
#include "core/error.h"
#include "runtime/image.h"
#include "runtime/rescale.h"

#include <string_view>

namespace imgflo::runtime {

// True unless `out_type` is JPEG ("jpg"/"jpeg"): the output keeps alpha.
bool keeps_alpha(std::string_view out_type);

// The colour contain pads with: `background` as it is when the output keeps
// alpha (the default, transparent, stays transparent); otherwise
// `background` composited over white, opaque (so JPEG pads white by default).
Color pad_colour(const Color& background, bool output_keeps_alpha);

// True when the plan is a cover with gravity=smart: resolve_smart_crop()
// reads the scaled pixels before the output does, so the input cannot be
// decoded as a one-pass stream.
bool needs_smart_crop(const RescalePlan& plan);

// For a smart cover: sets plan.offset_x/offset_y to the window libvips'
// attention smartcrop (vips_smartcrop, interesting=attention, as
// `vips thumbnail --crop attention`) chooses on `scaled` (rescale()'s
// result), computed on its whole pixels as 8-bit sRGB held in memory
// (3 bytes a pixel of the scaled size, admitted by plan_rescale). The
// evaluation stops with `stop`'s error. Does nothing for other plans.
Status resolve_smart_crop(const Image& scaled, RescalePlan& plan, const Stop& stop);

// `scaled` (out_width x out_height, from rescale() or rescale_drawn()) as the
// graph receives it: cut to the box at the plan's offsets (cover), or placed
// in a box_width x box_height image of `pad` at the offsets, the image
// composited over the pad (contain; result in premultiplied linear
// "RaGaBaA float"); unchanged for the other fits. kProcessingFailed if
// `scaled` is not the plan's size.
Result<Image> fit_to_box(const Image& scaled, const RescalePlan& plan, const Color& pad);

}  // namespace imgflo::runtime
