// The universal output parameters every imgflo and canvas graph takes, beside
// width/height (rescale.h): `quality` and `lossless`.
//
//   quality=N        an integer 1..100 (base 10, nothing else: "90.5", "",
//                    "1e2" are refused), the encoder's quality factor
//   lossless=B       true or false (any case); default false
//
// What each output type does with them (defaults when quality is absent):
//   jpg   quality, default 90 (the original's; canvas graphs 75, node-canvas's);
//         lossless=true is refused: JPEG cannot keep every pixel
//   png   always lossless: quality is accepted and has no effect, lossless=true
//         is accepted (it changes nothing)
//   gif   a 256-colour palette: quality is accepted and has no effect,
//         lossless=true is refused
//   webp  quality, default 80; lossless=true: libwebp lossless, pixel-exact
//         (the colour under fully transparent pixels may change: libvips
//         8.14 has no "exact" option)
//   avif  quality, default 50 (libvips' default, about JPEG 90's mean dE00 on
//         a photo: bench/RESULTS.md); lossless=true: AV1 4:4:4 at the highest
//         quality, every channel within 1 of the source (libvips 8.14 writes
//         AVIF as YCbCr; see still_encode.h)
//   jxl   quality, default 75 (libvips' default, distance 2.35); lossless=true:
//         JPEG XL lossless, pixel-exact
// With lossless=true the quality has no effect (the pixels are kept as they are).
// Accepting a quality every type understands keeps one URL template valid for
// every extension (and for a negotiated type); refusing lossless=true where it
// cannot hold tells the client at once instead of handing back lossy bytes.
//
// Both parameters are part of the query, so of the cache key: quality=50 and
// quality=95 are different stored results.
#pragma once

#include "core/error.h"
#include "request/params.h"
#include "runtime/program.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace imgflo::runtime {

inline constexpr int kMinQuality = 1;
inline constexpr int kMaxQuality = 100;

struct OutputOptions {
  std::optional<int> quality;  // absent: the output type's default
  bool lossless = false;
  // Not a request parameter: the server's DecodeLimits::jpeg_baseline_above
  // (loaders.h), set by the runtime. 0 = JPEG always progressive.
  uint64_t jpeg_baseline_above = 0;
  int quality_or(int type_default) const { return quality.value_or(type_default); }
};

// Parses and removes "quality"/"lossless" from `params` (a later value wins,
// as for every parameter) for an output of type `out_type` ("jpg", "png",
// "gif", "webp", "avif", "jxl"). kInvalidArgument (400, details {"parameter",
// "value", "allowed"}) for a quality that is not an integer 1..100, a lossless
// that is not true/false, and lossless=true for jpg or gif.
Result<OutputOptions> take_output_params(request::Params& params, std::string_view out_type);

// "quality" and "lossless" as the catalogue describes them (typed, with range).
std::vector<ParamInfo> output_parameters();

}  // namespace imgflo::runtime
