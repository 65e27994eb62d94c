#include "runtime/vips_eval.h"

#include "runtime/op.h"
#include "runtime/vips_threads.h"

#include <spdlog/spdlog.h>

namespace imgflo::runtime {

KillHook::KillHook(const vips::VImage& img, const Stop& stop) : img_(img), stop_(stop) {
  vips_image_set_progress(img_.get_image(), TRUE);
  handler_ = g_signal_connect(img_.get_image(), "eval", G_CALLBACK(&KillHook::on_eval), this);
}

KillHook::~KillHook() { g_signal_handler_disconnect(img_.get_image(), handler_); }

void KillHook::on_eval(VipsImage* image, VipsProgress*, void* self) {
  auto* hook = static_cast<KillHook*>(self);
  if (hook->stop_.requested()) vips_image_set_kill(image, TRUE);
}

Status evaluate(const vips::VImage& img, const Stop& stop, const std::string& what,
                const std::function<void()>& work) {
  if (auto e = stop.check()) return *e;
  const uint64_t failures = stop.tile_failures.value();
  const auto failed = [&](const char* why) -> Error {
    if (auto stopped = stop.check()) return *stopped;
    spdlog::warn("libvips failed while {}: {}", what, why);
    return Error(ErrorKind::kProcessingFailed, what + " failed");
  };
  try {
    KillHook hook(img, stop);
    work();
  } catch (const vips::VError& e) {
    return failed(e.what());
  }
  // libvips 8.14's thread pool reads its error flag before its last workers
  // finish: a tile failing then is lost, and the sink reports success.
  if (stop.tile_failures.value() != failures) return failed("a tile failed");
  return ok_status();
}

std::optional<Error> OpContext::check_size(int64_t width, int64_t height) const {
  if (width <= 0 || height <= 0) {
    return Error(ErrorKind::kInvalidArgument, "an operation produced an empty image");
  }
  const auto pixels = static_cast<uint64_t>(width) * static_cast<uint64_t>(height);
  if (width > VIPS_MAX_COORD || height > VIPS_MAX_COORD || pixels > max_pixels_) {
    return Error(ErrorKind::kTooLarge,
                 "an operation would produce " + std::to_string(width) + "x" + std::to_string(height) +
                     " pixels, over the limit of " + std::to_string(max_pixels_));
  }
  return std::nullopt;
}

Result<vips::VImage> OpContext::materialize(const vips::VImage& img) const {
  vips::VImage out;
  Status st = evaluate(img, stop_, "computing pixels", [&] { out = with_pipeline_threads(img).copy_memory(); });
  if (!st.ok()) return st.take_error();
  return out;
}

}  // namespace imgflo::runtime
