// The runtimes a catalogue is loaded with: imgflo (ops on libvips), noop
// (the input's bytes), placeholder (JSON placeholders of the input) and
// canvas (NoFlo canvas graphs on Cairo). Assembled here so that neither the
// runtime library nor the canvas library needs the other's list.
#pragma once

#include "runtime/runtime.h"

#include <memory>
#include <vector>

namespace imgflo::app {

std::vector<std::unique_ptr<runtime::Runtime>> builtin_runtimes();

}  // namespace imgflo::app
