#include "app/runtimes.h"

#include "canvas/canvas_runtime.h"
#include "runtime/placeholder_runtime.h"
#include "runtime/registry.h"

namespace imgflo::app {

std::vector<std::unique_ptr<runtime::Runtime>> builtin_runtimes() {
  std::vector<std::unique_ptr<runtime::Runtime>> rts;
  rts.push_back(runtime::make_imgflo_runtime(runtime::builtin_registry()));
  rts.push_back(runtime::make_noop_runtime());
  rts.push_back(runtime::make_placeholder_runtime());
  rts.push_back(canvas::make_canvas_runtime());
  return rts;
}

}  // namespace imgflo::app
