// A generic lazy float op: pixels computed per output tile, in C++, from the
// input tile grown by the op's reach, so an op with a finite reach never holds
// its whole input or output in memory (memory per job grows with the tiles in
// flight, not with the image's area).
//
//   TiledSpec spec{.width = w + 2, .height = h + 2, .bands = 4, .offset_x = -1, .offset_y = -1,
//                  .reach = {1, 1, 1, 1}};
//   auto out = tiled_image(convert(img, fmt::kRGBAFloat).pixels, spec, ctx.stop(),
//                          [](const InputWindow& in, const OutputTile& out, const Stop& stop) {
//                            for (int y = out.area.y; y < out.area.bottom(); ++y) ...
//                              ... out.at(x, y)[b] = f(in.at(x - 1 + dx, y - 1 + dy)[b], ...) ...
//                            return true;   // false: stopped mid-tile
//                          });
//   if (!out.ok()) return out.take_error();
//   return Image{*out, fmt::kRGBAFloat, ...};
//
// Coordinates. Input pixels are addressed from the input's top-left (0, 0),
// output pixels from the output's top-left. Output pixel (x, y) is "centred"
// on input pixel (x + offset_x, y + offset_y) and may read any input pixel in
// [cx - reach.left, cx + reach.right] x [cy - reach.top, cy + reach.bottom]
// around that centre (cx, cy). A tile of output pixels gets the union of those
// rectangles as its InputWindow; window pixels outside the input are 0
// (transparent black, like GEGL's abyss), or, with TiledSpec::zero_outside
// false, the window is clipped to the input. The tile function may read any
// window pixel and must write every pixel of its OutputTile.
//
// Exactness. When the tile function computes each output pixel only from
// window pixels within its reach (in input coordinates, never from the
// window's or the tile's position or size), the result does not depend on
// how libvips cuts the output into tiles: it is the same, bit for bit, as a
// whole-image computation with the same arithmetic.
//
// Evaluation. Nothing is computed here: libvips calls the tile function when
// the result (or something downstream) is evaluated, from its worker threads,
// several tiles at once. Large vertical reaches (over kCachedReach rows) read
// their input through a row cache holding the reach + 2 tile heights of
// input rows, so the input's pipeline is not recomputed for every window.
// Memory then grows with the image's width (times the reach), not its area.
// Huge reaches: when the window of one 128 x 128 tile would hold more than
// kMaxWindowRatio times its pixels (copying it would cost more than the
// tile), the (padded) input is computed into memory once, here, under the
// Stop, and windows are views of it: memory grows with the area again, as
// for a whole-image op, and the result is the same.
//
// Stop. `stop` is copied into the image (its deadline's clock must outlive
// the image, as for any Deadline). Each tile first checks it, and the
// tile function gets it to poll inside long tiles (return false once it is
// requested). A stopped tile fails the libvips evaluation; runtime/vips_eval's
// evaluate()/materialize() then report the Stop's error. Every failed tile
// (stopped, its input not computed, the function returning false or
// throwing) also counts in the Stop's tile_failures, which evaluate() checks
// as libvips 8.14 may report success when one of the last tiles fails: give
// the Stop the result will be evaluated under (OpContext::stop()).
//
// Thread-safety: the tile function is called concurrently from several
// threads, with distinct tiles; it must only read what it captures (capture
// by value: it lives as long as the image, beyond the op's run()).
// Exceptions escaping it fail the evaluation (never propagate into libvips).
#pragma once

#include "core/deadline.h"
#include "core/error.h"

#include <vips/vips8>

#include <cstddef>
#include <functional>

namespace imgflo::runtime::ops {

// How far one output pixel reads around its centre, in input pixels (>= 0).
struct Reach {
  int left = 0, top = 0, right = 0, bottom = 0;
};

// A rectangle of pixels: [x, x + width) x [y, y + height).
struct TileRect {
  int x = 0, y = 0, width = 0, height = 0;
  int right() const { return x + width; }    // one past the last column
  int bottom() const { return y + height; }  // one past the last row
};

// The input pixels a tile may read (read-only), addressed in input coordinates.
struct InputWindow {
  const float* data = nullptr;  // pixel (area.x, area.y)
  size_t stride = 0;            // floats from one row to the next
  int bands = 0;
  TileRect area;  // may extend past the input (zeros there)
  int input_width = 0, input_height = 0;  // the whole input's size

  // REQUIRES: (x, y) inside `area`.
  const float* at(int x, int y) const {
    return data + static_cast<size_t>(y - area.y) * stride + static_cast<size_t>(x - area.x) * bands;
  }
  // True when (x, y) is a pixel of the input (not the zero padding).
  bool in_input(int x, int y) const { return x >= 0 && y >= 0 && x < input_width && y < input_height; }
};

// The output pixels one call computes (write-only), addressed in output coordinates.
struct OutputTile {
  float* data = nullptr;  // pixel (area.x, area.y)
  size_t stride = 0;
  int bands = 0;
  TileRect area;

  // REQUIRES: (x, y) inside `area`.
  float* at(int x, int y) const {
    return data + static_cast<size_t>(y - area.y) * stride + static_cast<size_t>(x - area.x) * bands;
  }
};

struct TiledSpec {
  int width = 0, height = 0, bands = 0;  // the output image (float); each >= 1
  int offset_x = 0, offset_y = 0;        // output (x, y) is centred on input (x + offset_x, y + offset_y)
  Reach reach;
  // False: the tile function reads only pixels of the input (it checks
  // InputWindow::in_input first), so windows are clipped to the input (no
  // zero padding; the window may then be empty). Saves memory and copying
  // when the reach is large next to the image.
  bool zero_outside = true;
};

// Computes one output tile; false when it stopped early (see Stop above).
using TileFn = std::function<bool(const InputWindow& in, const OutputTile& out, const Stop& stop)>;

// Vertical reaches (top + bottom) above this many rows read through a row cache.
inline constexpr int kCachedReach = 16;
// Windows holding more than this many times their tile's pixels come from
// the input computed into memory instead.
inline constexpr int kMaxWindowRatio = 64;

// The lazy output image of `fn` over `input` (any band format: cast to float
// first), as described above. Errors: kInternal when the spec is invalid
// (empty size, negative reach) or libvips cannot set the image up; the Stop's
// error, or kProcessingFailed, when computing the input into memory (huge
// reaches only) stops or fails. The caller checks the output size against the
// pixel limit (OpContext::check_size) before calling.
Result<vips::VImage> tiled_image(const vips::VImage& input, const TiledSpec& spec, const Stop& stop, TileFn fn);

// Computes one output tile with no input window given: the function reads its
// input itself (e.g. through state it shares between tiles, under its own
// lock); false when stopped or failed.
using FillFn = std::function<bool(const OutputTile& out, const Stop& stop)>;

// The lower level of tiled_image, for ops whose reach is not finite (e.g. a
// scan carrying state from row to row): a lazy float width x height x bands
// image whose tiles `fill` computes, with the Stop, exception and thread rules
// above. `input` is what `fill` reads: declared to libvips as the image's
// input and kept alive as long as the image. Errors: kInternal for an empty
// size or when libvips cannot set the image up.
Result<vips::VImage> filled_image(const vips::VImage& input, int width, int height, int bands, const Stop& stop,
                                  FillFn fill);

}  // namespace imgflo::runtime::ops
