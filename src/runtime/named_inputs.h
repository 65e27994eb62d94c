// The named image inputs of a run (RunRequest::images, e.g. the watermark
// graph's "watermark"), for the imgflo runtime: checked before any work,
// decoded like "input" (same DecodeLimits and Stop: the pixel limit is
// checked from the header before any pixel; upright, sRGB) but never
// rescaled or streamed (ops may read them in any order). Every error names
// the input (request::image_input_error: "watermark: ..."), its kind kept,
// so a bad watermark answers like a bad input (422, 413, ...).
#pragma once

#include "core/error.h"
#include "runtime/program.h"
#include "runtime/runtime.h"

#include <optional>
#include <string>
#include <vector>

namespace imgflo::runtime {

// kInvalidArgument naming the first of `names` that `req` lacks.
Status check_named_inputs(const RunRequest& req, const std::vector<std::string>& names);

// Decodes each of `names` from `req.images`.
Result<NamedImages> decode_named_inputs(const RunRequest& req, const std::vector<std::string>& names);

// After a processing failure: kUndecodable naming the first named input whose
// pixels cannot be decoded in full (truncated or corrupt data found only while
// decoding), else nullopt.
std::optional<Error> named_input_failure(const RunRequest& req);

}  // namespace imgflo::runtime
