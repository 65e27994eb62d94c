// imgflo/example ("Make Grey"), the custom op customgrey uses: converts to
// "YA float" and copies, i.e. the same result as gegl/gray in GEGL 0.3.10.
#include "runtime/ops/grey_common.h"

namespace imgflo::runtime::ops {

std::unique_ptr<Op> make_example() { return make_grey_op("imgflo/example", "Make Grey"); }

}  // namespace imgflo::runtime::ops
