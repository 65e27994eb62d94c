// The two passes of GEGL's gaussian-blur (horizontal gblur-1d, then
// vertical) over float images in memory, spread over a few threads.
//
// Each pass filters lines (rows or columns) of a band-interleaved float image
// with the filters of iir_gaussian.h / blur_lines.h and GEGL's edge rules:
//   FIR: the input is extended past its ends by the abyss policy (clamp =
//        repeat the end sample, black/white/none = constant colour), then
//        convolved; output sample k reads input k - growth.
//   IIR: the line is zero-padded by `growth` samples on each side (only when
//        clip-extent is off, as GEGL reads its grown rectangle without abyss),
//        then the recursions start from the policy's boundary values: clamp =
//        the padded line's end samples, otherwise the constant colour.
// The output of a pass is growth() samples longer on each end than its input.
//
// Thread-safety: the functions are reentrant; `dst`/`img` must not be shared
// with other writers while a pass runs. Cancellation: `stop` is polled before
// every group of lines; when it fires the pass returns its Error and the
// output holds partial results.
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "runtime/ops/blur_lines.h"
#include "runtime/ops/float_image.h"
#include "runtime/ops/iir_gaussian.h"

#include <optional>

namespace imgflo::runtime::ops::blur {

// One axis of the blur.
struct Axis {
  float sigma = 0;
  Filter filter = Filter::kAuto;
  bool clip_extent = true;

  Filter resolved() const { return resolve_filter(filter, sigma); }
  // Pixels the output grows on each side (0 with clip-extent).
  int growth() const { return clip_extent ? 0 : fir_length(sigma) / 2; }
  // True when the pass leaves pixels unchanged (an FIR of one tap).
  bool is_identity() const { return resolved() == Filter::kFir && fir_length(sigma) == 1; }
};

// The abyss policy plus, for the constant policies, the value per channel in
// the working format (black = colour 0 alpha 1, white = all 1, none = all 0).
struct Edges {
  Abyss policy = Abyss::kClamp;
  float colour[4] = {};
};
Edges make_edges(Abyss policy, int channels, bool has_alpha);

// Horizontal pass: row r of the width x height input read through `src` is
// blurred into row r + dst_row0 of `dst`. kProcessingFailed when `src` fails.
// REQUIRES: dst.width == width + 2 * axis.growth(), same channels,
// dst.height >= height + dst_row0.
std::optional<Error> blur_rows(const RowReader& src, int width, int height, const FloatPlane& dst, int dst_row0,
                               const Axis& axis, const Edges& edges, const Stop& stop);

// Vertical pass, in place: the input is rows [g, img.height - g) of `img`,
// g = axis.growth() (the rows above and below are zero); every row receives
// the output.
std::optional<Error> blur_columns(const FloatPlane& img, const Axis& axis, const Edges& edges, const Stop& stop);

// The vertical IIR pass of blur_columns over a window of its rows, in place:
// `win` holds rows [row0, row0 + win.height) of the `rows`-row image
// blur_columns would filter. Rows at the image's ends get blur_columns'
// result; the others differ from it by at most the IIR's decay over their
// distance to a window end inside the image (iir_settle_rows).
// With `carry`, windows computed in order down the image continue each
// other's causal pass exactly (blur_lines.h): `in` is the state saved by the
// previous window (which then ended at row0), `out` receives the state after
// window row `out_row`; both hold 3 * win.width * channels doubles.
// REQUIRES: axis.resolved() == Filter::kIir; 0 <= row0,
// row0 + win.height <= rows, win.height >= 1.
std::optional<Error> blur_column_window(const FloatPlane& win, int row0, int rows, const Axis& axis,
                                        const Edges& edges, const Stop& stop, const CausalCarry& carry = {});

}  // namespace imgflo::runtime::ops::blur
