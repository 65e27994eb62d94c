// One-pass per-pixel computations over lazy vips images.
//
// Each libvips arithmetic operation is a pass of its own with a buffer per
// region: a conversion or blend written as ten of them moves every pixel
// through memory ten times (issue 12: gradientmap spent most of its time
// there). point_map() runs a C++ row function instead, as one libvips
// operation in the pipeline: it streams like the ops it replaces (thin
// strips, any access pattern), and libvips calls it from its worker threads.
#pragma once

#include <vips/vips8>

#include <functional>
#include <vector>

namespace imgflo::runtime {

// One row of `width` pixels: in[i] points at input i's row (band-interleaved,
// in that image's band format), out at the output row. Called from several
// threads at once: must not mutate shared state, must not throw.
using RowFunction = std::function<void(const void* const* in, void* out, int width)>;

inline constexpr int kMaxPointInputs = 4;

// An image of `bands` bands of `format`, the size of the inputs (1 to
// kMaxPointInputs, all the same size), whose rows are fn(inputs' rows). The
// function and the inputs live as long as the result. Throws vips::VError
// when libvips refuses the pipeline (sizes differ: std::invalid_argument).
vips::VImage point_map(const std::vector<vips::VImage>& inputs, int bands, VipsBandFormat format, RowFunction fn);

}  // namespace imgflo::runtime
