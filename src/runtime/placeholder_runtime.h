// The runtime of data graphs that describe their input instead of drawing
// it: "placeholder" (placeholder.h), whose result is JSON. See
// placeholder_runtime.cc for its parameters and output type.
#pragma once

#include "runtime/runtime.h"

#include <memory>

namespace imgflo::runtime {

std::unique_ptr<Runtime> make_placeholder_runtime();

}  // namespace imgflo::runtime
