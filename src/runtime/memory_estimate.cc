#include "runtime/memory_estimate.h"

#include "request/image_inputs.h"
#include "runtime/animation.h"
#include "runtime/codec.h"
#include "runtime/orientation.h"
#include "runtime/rescale.h"
#include "runtime/runtime.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

namespace imgflo::runtime {

namespace {

// What ops hold beyond the streaming pipeline, in bytes per pixel of their
// input. Calibrated by bench/memory.sh on a 29 MP JPEG after the tiled
// (c2g, sobel, noise filters) and streamed (gaussian blur, unsharp mask) ops
// landed: each measured job stays under its estimate. Ops not listed stream.
// Once the input came through a window of rows (codec.h), a blur job peaked
// 238-290 MB less the process base at 29 MP from run to run (malloc's arenas
// under load): the blurs are charged 2.
constexpr std::array<std::pair<std::string_view, double>, 7> kOpCosts = {{
    {"gegl/gaussian-blur", 2},
    {"gegl/unsharp-mask", 2},
    {"gegl/c2g", 3},
    {"gegl/noise-reduction", 1},
    {"gegl/noise-cie-lch", 1},
    {"gegl/motion-blur-linear", 2},
    {"gegl/edge-sobel", 1},
}};

constexpr double kNamedInputBytes = 16;  // named inputs are decoded whole, float RGBA
constexpr double kFrameBytes = 4;        // each finished frame of an animation, 8-bit RGBA

// a + b, saturating.
uint64_t saturating_add(uint64_t a, uint64_t b) { return b > std::numeric_limits<uint64_t>::max() - a ? UINT64_MAX : a + b; }

// pixels x bytes per pixel, saturating.
uint64_t saturating_times(uint64_t pixels, double bytes_per_pixel) {
  const double v = static_cast<double>(pixels) * bytes_per_pixel;
  return v >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(v);
}

uint64_t pixel_area(int w, int h) { return static_cast<uint64_t>(std::max(w, 0)) * static_cast<uint64_t>(std::max(h, 0)); }

bool writes_frames(std::string_view out_type) { return out_type == "gif" || out_type == "webp"; }

// The input's shape: decoded and graph pixels, frames.
Status shape_input(std::string_view bytes, const RescaleRequest& rr, const RunRequest& req, JobShape& shape) {
  auto size = probe(bytes);
  if (!size.ok()) return size.take_error();
  const uint64_t stored = pixel_area(size->width, size->height);
  shape.decoded_pixels = stored;
  shape.graph_pixels = stored;
  if (rr.active()) {
    auto plan = plan_rescale(size->width, size->height, rr, req.limits.max_pixels);
    if (!plan.ok()) return plan.take_error();
    shape.graph_pixels = std::max(pixel_area(plan->out_width, plan->out_height), pixel_area(plan->box_width, plan->box_height));
    // Shrink-on-load decodes at most twice the scaled size per axis.
    shape.decoded_pixels = is_vector(size->type) ? shape.graph_pixels : std::min(stored, 4 * shape.graph_pixels);
  }
  // decode() takes an upright JPEG through a window of rows (codec.h DecodeOptions::windowed);
  // a decode that restarts more than twice ends holding every row (not charged: the graphs'
  // ops read in order).
  if (size->type == ImageType::kJpeg && !reorders_rows(size->orientation)) {
    const uint64_t row = 3 * static_cast<uint64_t>(std::max(size->width, 1));
    shape.window_bytes = std::max<uint64_t>(kJpegWindowBytes, kJpegWindowMinRows * row);
  }
  if (writes_frames(req.out_type)) {
    auto animation = probe_animation(bytes);
    if (!animation.ok()) return animation.take_error();
    if (*animation) shape.frames = static_cast<uint64_t>(std::max((*animation)->frames, 1));
  }
  return ok_status();
}

}  // namespace

double op_bytes_per_pixel(std::string_view component) {
  for (const auto& [name, cost] : kOpCosts) {
    if (name == component) return cost;
  }
  return 0;
}

double encoder_bytes_per_pixel(std::string_view out_type) {
  if (out_type == "jpg" || out_type == "jpeg") return 7;
  if (out_type == "png") return 4;
  if (out_type == "webp") return 8;
  if (out_type == "gif") return 24;
  if (out_type == "avif") return 24;
  if (out_type == "jxl") return 44;
  return 8;
}

double graph_bytes_per_pixel(const std::vector<std::string>& components) {
  double sum = 0;
  for (const auto& c : components) sum += op_bytes_per_pixel(c);
  return sum;
}

uint64_t estimate_peak_bytes(const JobShape& s) {
  uint64_t bytes = saturating_add(kJobBaseBytes, saturating_times(s.input_bytes, 2));
  const uint64_t whole = saturating_times(s.decoded_pixels, kWholeDecodeBytes);
  if (!s.streamed) {
    bytes = saturating_add(bytes, s.window_bytes > 0 ? std::min(s.window_bytes, whole) : whole);
  } else if (whole <= kSmallJpegBytes) {
    bytes = saturating_add(bytes, whole);  // a small JPEG is decoded whole even so (codec.h)
  }
  bytes = saturating_add(bytes, saturating_times(s.graph_pixels, s.ops_bytes_per_pixel));
  const uint64_t output_pixels = s.frames > 1 ? saturating_times(s.graph_pixels, static_cast<double>(s.frames)) : s.graph_pixels;
  bytes = saturating_add(bytes, saturating_times(output_pixels, encoder_bytes_per_pixel(s.out_type)));
  bytes = saturating_add(bytes, saturating_times(s.named_pixels, kNamedInputBytes));
  if (s.frames > 1) bytes = saturating_add(bytes, saturating_times(output_pixels, kFrameBytes));
  return bytes;
}

Result<JobShape> job_shape(const Program& program, const RunRequest& req) {
  JobShape shape;
  shape.out_type = req.out_type;
  shape.streamed = program.streams_input();
  shape.ops_bytes_per_pixel = graph_bytes_per_pixel(program.components());
  request::Params params = req.params;
  auto rr = take_rescale_params(params);
  if (!rr.ok()) return rr.take_error();
  if (program.takes_input() && req.input) {
    shape.input_bytes = req.input->size();
    if (Status st = shape_input(*req.input, *rr, req, shape); !st.ok()) return st.take_error();
  }
  for (const auto& [name, bytes] : req.images) {
    auto size = probe(bytes);
    if (!size.ok()) return request::image_input_error(size.error(), std::string(name));  // as run() names it
    shape.input_bytes = saturating_add(shape.input_bytes, bytes.size());
    shape.named_pixels = saturating_add(shape.named_pixels, pixel_area(size->width, size->height));
  }
  return shape;
}

uint64_t estimate_without_pixels(const RunRequest& req) {
  uint64_t bytes = kJobBaseBytes;
  if (req.input) bytes = saturating_add(bytes, saturating_times(req.input->size(), 2));
  for (const auto& image : req.images) bytes = saturating_add(bytes, saturating_times(image.second.size(), 2));
  return bytes;
}

Result<uint64_t> Executable::estimate_memory(const RunRequest& req) const { return estimate_without_pixels(req); }

}  // namespace imgflo::runtime
