// The opaque fast path of rescale() (runtime/rescale.h): for an input without
// alpha going to an output that drops alpha (JPEG) through ops that declare
// they need none (Program::needs_alpha, OpSpec::needs_alpha).
//
// rescale() works in premultiplied linear RGBA float so that pixels sampling
// outside the input (borders of an enlargement, a partly covered last
// row/column) fade out. An output without alpha keeps only their
// un-premultiplied colour. rescale_for_opaque_output() gives an image whose
// R'G'B' u8 conversion is byte for byte rescale()'s with alpha dropped after
// un-premultiplying (what the JPEG encoder does):
//   - a copy (scale 1, e.g. 2048x1365 -> width 512 decoded at 1/4): the input
//     as it is, placed on the output extent (outside is black, as rescale()'s
//     transparent black un-premultiplies to black). rescale()'s round trip
//     through linear float gives back each of the 256 levels, and a faded
//     last row/column (colour c a, alpha a) un-premultiplies to c within 2
//     ulps, far (> 0.3 %) from the nearest level boundary.
//   - a resample goes through rescale() itself. Running it on three bands
//     (the same affine/box pipeline on linear RGB float, with rescale()'s own
//     un-premultiplied pixels pasted on the rows/columns within a pixel of
//     an edge) gave byte-identical JPEG pixels but no CPU saving that
//     showed above the shared machine's noise (2048x1365 -> width 500:
//     33-38 ms against 30-42 ms per request for the four-band pipeline,
//     bench/RESULTS.md), so it was taken out again.
// Inputs with alpha or a depth other than 8 bits get rescale() itself.
// tests/unit/rescale_opaque_test.cc checks the equality.
#pragma once

#include "runtime/image.h"
#include "runtime/rescale.h"

namespace imgflo::runtime {

// rescale() for an output that drops alpha; see above. Lazy.
Image rescale_for_opaque_output(const Image& img, const RescalePlan& plan);

}  // namespace imgflo::runtime
