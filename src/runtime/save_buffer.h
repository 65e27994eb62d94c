// Writing a libvips image to memory with one of libvips' savers, under a Stop:
// the one place the savers' malloc'd buffer becomes a std::string.
#pragma once

#include "core/deadline.h"
#include "core/error.h"

#include <vips/vips8>

#include <functional>
#include <string>

namespace imgflo::runtime {

// The saver's options, made only when the save runs (VImage::write_to_buffer
// takes ownership of them).
using SaveOptions = std::function<vips::VOption*()>;

// Evaluates `img` into the saver chosen by `suffix` (".jpg", ".png", ".gif",
// ".webp", ".heif", ".jxl") with `options()`. `what` names the step in errors
// ("encoding AVIF"). Errors: the Stop's error, kProcessingFailed (libvips'
// message in the log only).
Result<std::string> save_to_string(const vips::VImage& img, const char* suffix, const SaveOptions& options,
                                   const Stop& stop, const std::string& what);

}  // namespace imgflo::runtime
