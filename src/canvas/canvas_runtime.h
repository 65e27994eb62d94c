// The canvas runtime: NoFlo canvas graphs (environment types noflo-browser,
// noflo-nodejs) drawn with Cairo; see canvas_runtime.cc for one run.
// The runtime library does not know it exists: app/ puts it in the list of
// runtimes the catalogue is loaded with.
#pragma once

#include "runtime/runtime.h"

#include <memory>

namespace imgflo::canvas {

std::unique_ptr<runtime::Runtime> make_canvas_runtime();

}  // namespace imgflo::canvas
