// Shrink-on-load: decoding a raster input already reduced by an integer
// factor when the planned rescale makes it smaller anyway.
//
// The factor is chosen against the size the loader really produces, which
// differs by format:
//   JPEG   our libjpeg reader (DCT scaling): ceil(side / f); the last pixel
//          covers a partly filled 8x8 block (libjpeg's jdiv_round_up)
//   WebP   webpload_buffer at scale 1 / f: rint(side / f), the half-way case
//          rounded to even (libvips 8.14's VIPS_RINT); a side that would
//          round to 0 makes the loader fail
//   others no shrink-on-load: PNG, GIF, TIFF, JPEG XL and HEIC/AVIF (libvips
//          8.14's heifload has no shrink; its `thumbnail` is another
//          image), so the factor is always 1
// SVG is drawn at a scale instead (codec.h vector_scale(); rescale_drawn.h
// takes care of libvips rounding the drawn size to the nearest pixel).
#pragma once

#include "runtime/loaders.h"
#include "runtime/rescale.h"

namespace imgflo::runtime {

// The factors tried, largest first (libjpeg's 1/8, 1/4, 1/2).
inline constexpr int kShrinkFactors[] = {8, 4, 2};

// The side (>= 1) of an input of `type` decoded at shrink-on-load factor
// `factor` (1, 2, 4 or 8), as its loader makes it; 0 when the loader would
// refuse that factor (a WebP side that rounds to nothing). `side` for types
// without shrink-on-load and for factor 1.
int shrunk_side(ImageType type, int side, int factor);

// The largest factor of kShrinkFactors (else 1) at which an upright in_w x
// in_h input of `type` still decodes to at least the plan's out_width x
// out_height, so that rescale() never enlarges what it was given.
int shrink_on_load_factor(ImageType type, int in_w, int in_h, const RescalePlan& plan);

// The plan for the image decoded at `factor`: sets source_width/height to
// the whole input's extent in decoded pixels where that is not the decoded
// size (JPEG: in / factor, a fraction of a pixel less than libjpeg's
// ceiling when the side is not a multiple of the factor), so that rescale()
// keeps the input's geometry (and 2048 x 1365 at 1/4 to 512 x 342 is a
// copy, not a resample by 341.25 / 342).
RescalePlan plan_for_shrunk(RescalePlan plan, ImageType type, int in_w, int in_h, int factor);

}  // namespace imgflo::runtime
