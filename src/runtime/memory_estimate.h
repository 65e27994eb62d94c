// Peak-memory estimates for admission (jobs/memory_budget.h): what one run of
// an imgflo graph may hold at once, from the inputs' headers and the compiled
// graph, before anything is decoded. Over-estimating only makes a job wait
// longer; under-estimating lets jobs overrun the limit, so the costs below are
// the largest measured, rounded up.
//
// The model, in bytes:
//     kJobBaseBytes                        libvips' per-job buffers, threads, caches
//   + 2 x the compressed inputs            the fetched bytes and the decoder's copy
//   + decoded pixels x kWholeDecodeBytes   unless the input is decoded as a stream
//                                          (a small JPEG is decoded whole even so:
//                                          codec.h kSmallJpegBytes)
//                                          or through a window of rows (JPEG:
//                                          window_bytes instead)
//   + graph pixels x the ops' costs        buffers the ops hold (op_bytes_per_pixel)
//   + output pixels x the encoder's cost   e.g. progressive JPEG keeps every coefficient
//   + named inputs' pixels x 16            decoded whole, float RGBA
//   + animation: every frame's result as 8-bit RGBA
// Graph and output pixels are the input's after width/height (the ops' own
// extents are not followed: a crop is charged for its input).
//
// Calibrated with bench/memory.sh (peak RSS of imgflo-process per graph on a
// 29 MP JPEG, less the ~37 MB any imgflo-process has before its first image;
// bench/RESULTS.md, issue 12).
#pragma once

#include "core/error.h"
#include "runtime/program.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::runtime {

struct RunRequest;

inline constexpr uint64_t kJobBaseBytes = uint64_t{24} << 20;
inline constexpr double kWholeDecodeBytes = 3;  // u8 RGB held by a random-access decode

// Bytes per pixel of its image an op holds at its peak (whole float buffers);
// 0 for ops that stream through libvips regions and for unknown components.
double op_bytes_per_pixel(std::string_view component);

// Bytes per output pixel an encoder holds beyond the streaming pipeline
// ("jpg" progressive: 3 components x 2-byte coefficients; "avif", "jxl",
// "gif", "webp": the whole picture and the codec's own planes).
double encoder_bytes_per_pixel(std::string_view out_type);

// What the estimate is computed from.
struct JobShape {
  uint64_t input_bytes = 0;     // compressed bytes of every input
  uint64_t decoded_pixels = 0;  // pixels decoded (after shrink-on-load)
  uint64_t graph_pixels = 0;    // pixels the graph receives (after width/height), per frame
  uint64_t named_pixels = 0;    // pixels of the named image inputs
  uint64_t frames = 1;          // > 1: animated, each frame's result held
  bool streamed = false;        // the input decodes as a one-pass stream
  uint64_t window_bytes = 0;    // > 0: when not streamed, a windowed decode holding this many bytes
  double ops_bytes_per_pixel = 0;  // sum of op_bytes_per_pixel over the graph's nodes
  std::string out_type;
};

// The model above; saturates at UINT64_MAX instead of overflowing.
uint64_t estimate_peak_bytes(const JobShape& shape);

// The sum of op_bytes_per_pixel over `components` (Program::components()).
double graph_bytes_per_pixel(const std::vector<std::string>& components);

// The JobShape of `req` for `program` from the headers only (probe(),
// probe_animation(), the width/height plan). Errors: those of the headers and
// of the parameters, as run() would give them (kUndecodable, kTooLarge,
// kInvalidArgument).
Result<JobShape> job_shape(const Program& program, const RunRequest& req);

// The estimate of a run that decodes nothing (noop, canvas): the base and the inputs' bytes.
uint64_t estimate_without_pixels(const RunRequest& req);

}  // namespace imgflo::runtime
