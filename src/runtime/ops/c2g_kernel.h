// The tile kernels of gegl/c2g (the op: runtime/ops/c2g.cc; the spray walk
// and the per-pixel arithmetic: runtime/ops/c2g_spray.h). Both give the same
// grey, bit for bit, for the same pixels; the packed kernel is the fast one.
//
// Thread-safety: the returned functions only read what they capture; libvips
// calls them on several threads at once (runtime/ops/tiled.h).
#pragma once

#include "runtime/ops/c2g_spray.h"
#include "runtime/ops/tiled.h"

namespace imgflo::runtime::ops::c2g {

// Grey and alpha (2 bands) of each pixel from windows of linear RGBA float
// pixels (straight alpha), walking every spray point with its retry rules.
TileFn float_tiles(const Params& p);

// The most spray points per pixel (samples x iterations) packed_tiles takes.
inline constexpr int kMaxPackedSprays = 4096;

// Grey (1 band) from windows of packed 8-bit pixels: each window float holds
// the four bytes R', G', B', A of one sRGB-encoded straight-alpha pixel, and
// decode[b] is the linear float that convert() gives for code value b. The
// grey equals float_tiles' over convert(pixels, RGBA float), bit for bit.
// REQUIRES: decode_table_usable(decode); samples x iterations <= kMaxPackedSprays;
// the input has fewer than 2^31 pixels (window offsets are 32-bit).
TileFn packed_tiles(const Params& p, const float* decode);

// True when `decode` (256 entries) is non-decreasing and holds only numbers:
// then the minimum and maximum of decoded values are the decoded minimum and
// maximum code values, which is what packed_tiles relies on.
bool decode_table_usable(const float* decode);

}  // namespace imgflo::runtime::ops::c2g
