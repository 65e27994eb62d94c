#include "runtime/float_pixels.h"

#include "core/guard.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace imgflo::runtime {

FloatPixels::FloatPixels(vips::VImage image) : image_(std::move(image)) {
  VipsImage* raw = image_.get_image();
  data_ = reinterpret_cast<float*>(VIPS_IMAGE_ADDR(raw, 0, 0));
  width_ = raw->Xsize;
  height_ = raw->Ysize;
  bands_ = raw->Bands;
}

FloatPixels FloatPixels::create(int width, int height, int bands) {
  VipsImage* raw = vips_image_new_memory();
  vips_image_init_fields(raw, width, height, bands, VIPS_FORMAT_FLOAT, VIPS_CODING_NONE,
                         VIPS_INTERPRETATION_MULTIBAND, 1.0, 1.0);
  vips::VImage owner(raw);  // steals the reference
  if (vips_image_write_prepare(raw)) throw vips::VError();
  return FloatPixels(std::move(owner));
}

Result<FloatPixels> read_float_pixels(const vips::VImage& img, const OpContext& ctx) {
  const vips::VImage as_float = img.format() == VIPS_FORMAT_FLOAT ? img : img.cast(VIPS_FORMAT_FLOAT);
  auto mem = ctx.materialize(as_float);
  if (!mem.ok()) return mem.error();
  return FloatPixels(std::move(*mem));
}

std::optional<Error> for_each_row(int rows, const OpContext& ctx, const std::function<void(int)>& body) {
  if (rows <= 0) return ctx.check();
  const int threads = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, rows);
  std::atomic<int> next{0};
  std::atomic<bool> stopped{false};
  std::mutex failure_mutex;
  std::optional<Error> failure;  // the first exception a body let out
  auto worker = [&] {
    auto error = run_guarded("row worker", [&] {
      for (int y = next.fetch_add(1); y < rows && !stopped.load(std::memory_order_relaxed); y = next.fetch_add(1)) {
        if (ctx.stop().requested()) {
          stopped.store(true, std::memory_order_relaxed);
          return;
        }
        body(y);
      }
    });
    if (!error) return;
    stopped.store(true, std::memory_order_relaxed);
    std::lock_guard lock(failure_mutex);
    if (!failure) failure = std::move(error);
  };
  {
    std::vector<std::jthread> helpers;
    for (int i = 1; i < threads; ++i) {
      try {
        helpers.emplace_back(worker);
      } catch (const std::system_error&) {
        break;  // fewer threads: the calling thread still finishes every row
      }
    }
    worker();
  }  // joins the helpers
  if (failure) return failure;
  // Also catches a stop that a body noticed itself and cut its row short.
  return ctx.check();
}

}  // namespace imgflo::runtime
