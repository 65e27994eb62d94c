// The opaque fast path of rescale() (runtime/rescale.h): for an input without
// alpha going to an output that drops alpha (JPEG) through ops that declare
// they need none (Program::needs_alpha, OpSpec::needs_alpha).
//
// rescale() works in premultiplied linear RGBA float so that pixels sampling
// outside the input (borders of an enlargement, a partly covered last
// row/column) fade out. An output without alpha keeps only their
// un-premultiplied colour, which for the inner pixels is the colour the same
// resample computes on three bands. So rescale_for_opaque_output() gives an
// image without alpha whose R'G'B' u8 conversion is byte for byte rescale()'s
// with alpha dropped after un-premultiplying (what the JPEG encoder does):
//   - a copy (scale 1, e.g. 2048x1365 -> width 512 decoded at 1/4): the input
//     as it is, placed on the output extent (outside is black, as rescale()'s
//     transparent black un-premultiplies to black). rescale()'s round trip
//     through linear float gives back each of the 256 levels, and a faded
//     last row/column (colour c a, alpha a) un-premultiplies to c within 2
//     ulps, far (> 0.3 %) from the nearest level boundary.
//   - a resample: where every bilinear tap of an output pixel reads an opaque
//     pixel, libvips' weights (summed in double) round to exactly 1.0f and the
//     box shrink's mean of ones is 1, so rescale()'s colour bands are the
//     very floats of the same affine on three bands (linear RGB float) and
//     un-premultiplying divides by 1. The output rows/columns within a pixel
//     of a tap outside the opaque pixels take rescale()'s own pixels,
//     un-premultiplied: only those few are computed in four bands.
// Inputs with alpha or a depth other than 8 bits get rescale() itself.
// tests/unit/rescale_opaque_test.cc checks the equality over odd sizes.
#pragma once

#include "runtime/image.h"
#include "runtime/rescale.h"

namespace imgflo::runtime {

// The output rows or columns [first, end) of one axis whose samples read
// only opaque input pixels, with a pixel of margin: `opaque` input pixels
// (the rest of the `size` are faded or outside), scale `s`, `n` box samples,
// `out` output pixels. first >= end when there are none.
struct InnerSpan {
  int first = 0, end = 0;
};
InnerSpan inner_span(int opaque, double s, int n, int out);

// rescale() for an output that drops alpha; see above. Lazy.
Image rescale_for_opaque_output(const Image& img, const RescalePlan& plan);

}  // namespace imgflo::runtime
