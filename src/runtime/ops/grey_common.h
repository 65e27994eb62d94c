// Shared by the two greyscale ops (gegl/gray and imgflo/example), which GEGL
// 0.3.10 implemented identically: convert to "YA float".
#pragma once

#include "runtime/ops/ops.h"

#include <string>

namespace imgflo::runtime::ops {

std::unique_ptr<Op> make_grey_op(std::string component, std::string description);

}  // namespace imgflo::runtime::ops
