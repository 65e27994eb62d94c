// Running libvips pipelines under a deadline.
//
// libvips evaluates lazily: the pixel work of a whole graph happens when the
// final image is written. evaluate() attaches a progress hook to the image so
// the running pipeline is killed as soon as Stop is requested, and turns the
// outcome into a Result: the Stop's error when it fired, otherwise a
// kProcessingFailed error carrying libvips' message in the server log only.
// A tile of our own ops that failed during the work (counted in
// Stop::tile_failures, runtime/ops/tiled.h) fails the evaluation too, even
// when libvips reports success (libvips 8.14 may: its thread pool reads the
// error flag before the last workers finish). Evaluations running at the same
// time under one Stop may each see the other's failed tile: both fail then.
#pragma once

#include "core/deadline.h"
#include "core/error.h"

#include <vips/vips8>

#include <functional>
#include <string>

namespace imgflo::runtime {

// Calls `work` (which must evaluate `img`, e.g. write it to a buffer) with a
// kill hook on `img`. `what` names the step in error messages ("encoding PNG").
Status evaluate(const vips::VImage& img, const Stop& stop, const std::string& what,
                const std::function<void()>& work);

// RAII: while alive, `img`'s evaluation is killed once `stop` is requested.
class KillHook {
 public:
  KillHook(const vips::VImage& img, const Stop& stop);
  ~KillHook();
  KillHook(const KillHook&) = delete;
  KillHook& operator=(const KillHook&) = delete;

 private:
  static void on_eval(VipsImage* image, VipsProgress* progress, void* self);
  vips::VImage img_;
  const Stop& stop_;
  unsigned long handler_ = 0;
};

}  // namespace imgflo::runtime
