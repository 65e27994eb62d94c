// The width/height rescale for a vector input that was drawn at the planned
// scale (codec.h DecodeOptions::scale, vector_scale()).
//
// The drawing already has the planned size up to rounding: libvips rounds the
// drawn size to the nearest pixel, the plan rounds the exact size up, and the
// plan starts from the header's rounded intrinsic size. Resampling by a factor
// like 1158/1157 would blur the whole drawing for one row, so within a pixel on
// each side the drawing is only cropped or padded (transparent, as rescale()'s
// outward rounding leaves it). Farther off (width and height both given with
// another aspect ratio) it is resampled as any input.
#pragma once

#include "runtime/image.h"
#include "runtime/rescale.h"

namespace imgflo::runtime {

// The drawing at the plan's output size, in rescale()'s pixel format (RaGaBaA float).
Image rescale_drawn(const Image& drawn, const RescalePlan& plan);

}  // namespace imgflo::runtime
