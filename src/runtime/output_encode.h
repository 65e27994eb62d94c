// A result image to the bytes of the requested output type: the one dispatch
// from an extension to an encoder, shared by the imgflo and canvas runtimes.
//
//   jpg, png    codec.h (the original's settings; JPEG quality 90 by default)
//   gif, webp   frame_encode.h (as a one-frame file; animations go there directly)
//   avif, jxl   still_encode.h
// The content types are core/mime.h's; quality and lossless were validated by
// take_output_params (output_options.h) for the same type.
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "runtime/image.h"
#include "runtime/output_options.h"
#include "runtime/runtime.h"

#include <string>
#include <vector>

namespace imgflo::runtime {

// Every type encode_output writes: jpg, jpeg, png, gif, webp, avif, jxl (the
// 449 "supported" list of imgflo and canvas graphs).
const std::vector<std::string>& encoded_output_types();

// Encodes `image` as `out_type` (one of encoded_output_types(); "jpeg" arrives
// normalised to "jpg"); JPEG's default quality is the original's 90.
// Errors: kUnsupportedType for another type, encoder errors, the Stop's error.
Result<Output> encode_output(const Image& image, const std::string& out_type, const OutputOptions& options,
                             const Stop& stop);

}  // namespace imgflo::runtime
