// gegl/gray (also gegl/grey): linear luminance with alpha, "YA float"
// (Y = 0.2224879 R + 0.7169038 G + 0.0606083 B on linear RGB, babl's D50 weights).
#include "runtime/ops/grey_common.h"

namespace imgflo::runtime::ops {

std::unique_ptr<Op> make_gray() { return make_grey_op("gegl/gray", "Turns the image greyscale"); }

}  // namespace imgflo::runtime::ops
