// gegl/gaussian-blur computed strip by strip, so that its memory grows with
// the image's width rather than its area.
//
// The output is a lazy libvips image, computed in strips of whole rows, one
// strip at a time (each strip's passes run on the compute threads). A strip
// of output rows [y0, y1) is computed from the input rows
// [y0 - overlap, y1 + overlap), clipped to the image: the horizontal pass on
// those whole rows (exact), then the vertical IIR over that window
// (blur_column_window), whose recursions start as if the image were clamped
// at the window's ends inside it. When strips are asked for top to bottom
// (the usual case: encoders write rows in order) a strip continues the
// previous one's causal pass exactly and needs no overlap above it; only the
// anti-causal pass then starts from an estimate, `overlap` rows below the
// strip. `overlap` is the number of rows the IIR's recursion state takes to
// fade below 2^-20 of its size (iir_settle_rows, ~15 sigma-y), so a strip
// differs from the whole-column result by about 1e-6 of the values' range:
// well under one step of an 8-bit or 16-bit output. At the image's top and
// bottom the edge rules are GEGL's, as in the whole-image passes. The strips
// are cached (two at a time) so that the consumer's small requests do not
// recompute them.
//
// Memory: (strip + 2 overlap) float rows of work space, overlap rows kept
// for the next strip, and two cached strips of float rows, strip = overlap
// (64..1024 rows): about 6 overlaps of rows, i.e. it grows with the width and
// with sigma-y (at 6600 RGB pixels wide and sigma 10: 74 MB, where the whole
// image would take 348 MB).
// CPU: read in order, each input row is converted and filtered horizontally
// once (the rows below a strip are kept for the next one) and vertically
// twice (strip + overlap rows per strip); strips asked for out of order
// cost up to 3 times.
//
// Thread-safety: the image may be computed by any number of libvips threads.
// Cancellation: each strip's passes poll a copy of `stop`; when it fires the
// strip fails (a libvips error), and the caller's evaluation reports the stop.
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "runtime/ops/blur_planes.h"

#include <vips/vips8>

#include <optional>

namespace imgflo::runtime::ops::blur {

// Rows of output per strip and rows of overlap above and below it.
struct StripPlan {
  int strip = 0;
  int overlap = 0;
};

// The strips for blurring an image of `height` rows with these axes, or
// nullopt when the blur is better run whole: the extent grows (clip-extent
// off), the vertical pass is not an IIR, or one strip's window would cover
// most of the image (very large sigma-y).
std::optional<StripPlan> plan_strips(const Axis& x, const Axis& y, int height);

// The blurred image: same size, bands and (float) format as `src`.
// kInternal when the strip work space cannot be allocated or libvips cannot
// set the image up.
// REQUIRES: `src` is a float image in the blur's working format; `plan`
// from plan_strips for these axes and src's height.
Result<vips::VImage> blur_streamed(const vips::VImage& src, const Axis& x, const Axis& y, const Edges& edges,
                                   const StripPlan& plan, const Stop& stop);

}  // namespace imgflo::runtime::ops::blur
