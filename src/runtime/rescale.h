// The universal width/height rescale, applied to the input before the graph.
//
// Semantics of GEGL's scale-size-keepaspect as the original server used it:
// a value <= 0 (or absent) is "free"; one dimension given -> the other keeps
// the aspect ratio; both given -> exactly width x height (aspect not kept);
// the output size is the scaled extent rounded outward (ceil); resampling is
// done in linear light with premultiplied alpha and the result has alpha
// (RaGaBaA float), so a partially covered last row/column is transparent.
#pragma once

#include "core/error.h"
#include "runtime/image.h"
#include "runtime/program.h"

#include <optional>

namespace imgflo::runtime {

struct RescaleRequest {
  int width = -1;
  int height = -1;
  bool active() const { return width > 0 || height > 0; }
};

struct RescalePlan {
  double exact_width = 0;  // scaled extent before rounding outward
  double exact_height = 0;
  int out_width = 0;       // ceil of the exact extent
  int out_height = 0;
};

// Parses and removes "width"/"height" from params (lenient integers, as the
// original). Other parameters are left in place.
RescaleRequest take_rescale_params(Params& params);

// Output size and scale factors for an input of in_w x in_h.
RescalePlan plan_rescale(int in_w, int in_h, const RescaleRequest& req);

// The largest integer shrink-on-load factor (1, 2, 4, 8) that keeps the
// decoded image at least as large as the planned output.
int shrink_on_load_factor(int in_w, int in_h, const RescalePlan& plan);

// Resizes `img` (the input, possibly already shrunk on load) to the plan's
// output size.
Image rescale(const Image& img, const RescalePlan& plan);

}  // namespace imgflo::runtime
