// The imgflo runtime: graphs of GEGL-named ops, executed on libvips.
//
// One run: decode the input (shrink-on-load when a rescale allows it) ->
// optional width/height rescale, then cover's cut or contain's padding
// (fit.h) -> the compiled Program -> encode.
//
// Output types: jpg/jpeg and png (the original's), gif, webp, avif and jxl
// (output_encode.h), with the universal quality/lossless parameters
// (output_options.h). An animated GIF/WebP input to a gif or webp output runs
// the same steps on every frame (animation.h) and keeps the frame delays and
// loop count; to the other types it gives its first frame, as a still.
// A video input (MP4, WebM, ASF) runs the same steps on every frame and gives
// an mp4, an animation or a poster frame (runtime/video/video_pipeline.h).
#include "core/mime.h"
#include "runtime/animation.h"
#include "runtime/fit.h"
#include "runtime/frame_encode.h"
#include "runtime/memory_estimate.h"
#include "runtime/named_inputs.h"
#include "runtime/output_encode.h"
#include "runtime/output_options.h"
#include "runtime/rescale.h"
#include "runtime/rescale_drawn.h"
#include "runtime/rescale_opaque.h"
#include "runtime/shrink_on_load.h"
#include "runtime/runtime.h"
#include "runtime/vips_threads.h"
#include "runtime/video/video_pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace imgflo::runtime {

namespace {

// The frame format of an output type that can carry animation.
std::optional<FrameFormat> frame_output(const std::string& out_type) {
  if (out_type == "gif") return FrameFormat::kGif;
  if (out_type == "webp") return FrameFormat::kWebp;
  return std::nullopt;
}

// After a failed evaluation: was it the input's fault (truncated/corrupt data
// only found while decoding pixels) or ours?
Error explain_failure(const Error& e, std::string_view input, const Stop& stop) {
  if (e.kind() != ErrorKind::kProcessingFailed) return e;
  auto img = decode(input);
  if (!img.ok()) return img.error();
  try {
    (void)img->pixels.avg();  // forces a full decode
  } catch (const vips::VError&) {
    return Error(ErrorKind::kUndecodable, "input image is truncated or corrupt");
  }
  return e;
}

class ImgfloExecutable final : public Executable {
 public:
  explicit ImgfloExecutable(std::shared_ptr<const Program> program) : program_(std::move(program)) {}

  std::vector<std::string> output_types() const override {
    std::vector<std::string> out = encoded_output_types();
    out.emplace_back("mp4");
    return out;
  }

  std::vector<ParamInfo> parameters() const override {
    std::vector<ParamInfo> out = program_->parameters();
    for (auto& p : rescale_parameters()) out.push_back(std::move(p));
    for (auto& p : output_parameters()) out.push_back(std::move(p));
    for (auto& p : video::video_parameters()) out.push_back(std::move(p));
    return out;
  }

  request::Inports inports() const override { return program_->inports(); }

  bool result_may_have_alpha() const override { return program_->may_add_alpha(); }
  std::vector<std::string> image_inputs() const override { return program_->image_inputs(); }

  Status check(const RunRequest& req) const override {
    if (Status st = check_output_type(req.out_type, output_types()); !st.ok()) return st;
    request::Params params = req.params;
    if (auto rr = take_rescale_params(params); !rr.ok()) return rr.take_error();
    if (auto vp = video::take_video_params(params); !vp.ok()) return vp.take_error();
    if (video::is_video_output(req.out_type) && !program_->takes_input()) {
      return Error(ErrorKind::kInvalidArgument, "mp4 output needs a video \"input\"");
    }
    if (auto options = take_output_params(params, req.out_type); !options.ok()) return options.take_error();
    if (Status st = program_->check_params(params); !st.ok()) return st;
    if (program_->takes_input() && !req.input) {
      return Error(ErrorKind::kInvalidArgument, "this graph needs an \"input\" image");
    }
    return check_named_inputs(req, program_->image_inputs());
  }

  Result<uint64_t> estimate_memory(const RunRequest& req) const override {
    if (program_->takes_input() && req.input && video::is_video(*req.input)) return estimate_video(req);
    auto shape = job_shape(*program_, req);
    if (!shape.ok()) return shape.take_error();
    return estimate_peak_bytes(*shape);
  }

  Result<Output> run(const RunRequest& req) const override {
    const RunInProgress counted;  // shares libvips' threads among the runs (vips_threads.h)
    if (Status st = check(req); !st.ok()) return st.take_error();
    request::Params params = req.params;
    auto taken = take_rescale_params(params);
    if (!taken.ok()) return taken.take_error();
    const RescaleRequest& rescale_req = *taken;
    const Color pad = pad_colour(rescale_req.background, keeps_alpha(req.out_type));
    auto named = decode_named_inputs(req, program_->image_inputs());
    if (!named.ok()) return named.take_error();
    auto options = take_output_params(params, req.out_type);
    if (!options.ok()) return options.take_error();
    options->jpeg_baseline_above = req.limits.jpeg_baseline_above;
    auto video_params = video::take_video_params(params);
    if (!video_params.ok()) return video_params.take_error();

    if (program_->takes_input() && video::is_video(*req.input)) {
      const video::VideoJob job{req.out_type, *video_params, *options, req.limits, req.stop};
      auto out = video::run_video(*req.input, job, video_graph(req, params, rescale_req, pad, *named));
      if (!out.ok() && out.error().kind() == ErrorKind::kProcessingFailed) {
        if (auto failed = named_input_failure(req)) return *failed;
      }
      return out;
    }
    if (video::is_video_output(req.out_type)) {
      return Error(ErrorKind::kUndecodable, "mp4 output needs a video input (MP4, WebM or ASF)");
    }

    const auto frames = frame_output(req.out_type);
    if (frames && program_->takes_input()) {
      auto animation = probe_animation(*req.input);
      if (!animation.ok()) return animation.take_error();
      if (*animation) return run_animation(**animation, *frames, req, params, rescale_req, pad, *named, *options);
    }

    std::optional<Image> input;
    if (program_->takes_input()) {
      const bool opaque_ok = !keeps_alpha(req.out_type) && !program_->needs_alpha();
      auto loaded = load_input(*req.input, rescale_req, pad, req, program_->streams_input(), opaque_ok);
      if (!loaded.ok()) return failure(loaded.take_error(), req);  // a smart crop reads pixels early
      input = std::move(*loaded);
    }
    auto result = program_->run(input ? &*input : nullptr, params, req.stop, req.limits.max_pixels, *named);
    if (!result.ok()) return failure(result.take_error(), req);

    auto out = encode_output(*result, req.out_type, *options, req.stop);
    if (!out.ok()) return failure(out.take_error(), req);
    return out;
  }

 private:
  // The graph on every frame of an animated input (animation.h), each frame
  // rescaled (and cut or padded) first; limits checked from the header before
  // any frame is decoded. A smart crop's window is chosen on the first frame
  // and kept for all (the subject does not jump between frames).
  Result<Output> run_animation(const Animation& animation, FrameFormat format, const RunRequest& req,
                               const request::Params& params, const RescaleRequest& rescale_req,
                               const Color& pad, const NamedImages& named, const OutputOptions& options) const {
    if (Status st = check_animation_limits(animation, animation.width, animation.height, req.limits); !st.ok()) {
      return st.take_error();
    }
    auto frames = AnimationFrames::open(*req.input, animation, req.limits.colour);
    if (!frames.ok()) return frames.take_error();
    auto first = frames->frame(0);  // upright size (lazy: nothing decoded)
    if (!first.ok()) return first.take_error();
    std::optional<RescalePlan> plan;
    if (rescale_req.active()) {
      auto planned = plan_rescale(first->width(), first->height(), rescale_req, req.limits.max_pixels);
      if (!planned.ok()) return planned.take_error();
      plan = *planned;
    }
    const int width = plan ? std::max(plan->out_width, plan->box_width) : first->width();
    const int height = plan ? std::max(plan->out_height, plan->box_height) : first->height();
    if (Status st = check_animation_limits(animation, width, height, req.limits); !st.ok()) return st.take_error();
    if (plan) {
      Status st = resolve_smart_crop(rescale(*first, *plan), *plan, req.stop);
      if (!st.ok()) return failure(st.take_error(), req);
    }

    auto results = map_frames(*frames, frame_work(plan, req, params, pad, named), req.stop, req.limits.max_pixels);
    if (!results.ok()) return failure(results.take_error(), req);
    auto bytes = encode_frames(*results, format, animation.timing, req.stop, options);
    if (!bytes.ok()) return failure(bytes.take_error(), req);
    return Output{std::move(*bytes), req.out_type, std::string(content_type_for(req.out_type))};
  }

  // Each frame rescaled (and cut or padded) by `plan` when there is one, then the graph.
  FrameWork frame_work(const std::optional<RescalePlan>& plan, const RunRequest& req, const request::Params& params,
                       const Color& pad, const NamedImages& named) const {
    return [&plan, &req, &params, &pad, &named, this](const Image& frame) -> Result<Image> {
      if (!plan) return program_->run(&frame, params, req.stop, req.limits.max_pixels, named);
      auto fitted = fit_to_box(rescale(frame, *plan), *plan, pad);
      if (!fitted.ok()) return fitted.take_error();
      return program_->run(&*fitted, params, req.stop, req.limits.max_pixels, named);
    };
  }

  // The graph for a video's frames: the width/height plan made from the
  // header's frame size, a smart crop's window chosen on the first frame.
  struct VideoPlan {
    std::optional<RescalePlan> plan;
    bool smart_crop_pending = false;
  };
  video::FrameGraph video_graph(const RunRequest& req, const request::Params& params, const RescaleRequest& rr,
                                const Color& pad, const NamedImages& named) const {
    auto state = std::make_shared<VideoPlan>();
    video::FrameGraph graph;
    if (rr.fit != Fit::kCover && rr.fit != Fit::kContain) {
      graph.rescale_only = only_passes_through();
      static const std::optional<RescalePlan> kNoPlan;
      graph.planned_work = frame_work(kNoPlan, req, params, pad, named);
    }
    graph.plan = [state, &rr, &req](int width, int height) -> Result<video::FrameSize> {
      if (!rr.active()) return video::FrameSize{width, height};
      auto planned = plan_rescale(width, height, rr, req.limits.max_pixels);
      if (!planned.ok()) return planned.take_error();
      state->plan = *planned;
      state->smart_crop_pending = needs_smart_crop(*planned);
      return video::FrameSize{std::max(planned->out_width, planned->box_width),
                              std::max(planned->out_height, planned->box_height)};
    };
    graph.work = [state, work = frame_work(state->plan, req, params, pad, named),
                  &req](const Image& frame) -> Result<Image> {
      if (state->smart_crop_pending) {
        state->smart_crop_pending = false;
        if (Status st = resolve_smart_crop(rescale(frame, *state->plan), *state->plan, req.stop); !st.ok()) {
          return st.take_error();
        }
      }
      return work(frame);
    };
    return graph;
  }

  // Whether the graph gives its input unchanged (gegl/nop nodes only).
  bool only_passes_through() const {
    const auto components = program_->components();
    return program_->image_inputs().empty() &&
           std::all_of(components.begin(), components.end(), [](const auto& c) { return c == "gegl/nop"; });
  }

  // A video job's estimate: the job's base, its input twice, the pipeline's.
  Result<uint64_t> estimate_video(const RunRequest& req) const {
    request::Params params = req.params;
    auto rr = take_rescale_params(params);
    if (!rr.ok()) return rr.take_error();
    auto options = take_output_params(params, req.out_type);
    if (!options.ok()) return options.take_error();
    auto vp = video::take_video_params(params);
    if (!vp.ok()) return vp.take_error();
    const video::VideoJob job{req.out_type, *vp, *options, req.limits, req.stop};
    const NamedImages none;
    const Color pad{};
    auto held = video::estimate_video_memory(*req.input, job, video_graph(req, params, *rr, pad, none),
                                             graph_bytes_per_pixel(program_->components()));
    if (!held.ok()) return held.take_error();
    const uint64_t base = estimate_without_pixels(req);
    return *held > UINT64_MAX - base ? UINT64_MAX : *held + base;
  }

  static Error failure(Error e, const RunRequest& req) {
    if (e.kind() == ErrorKind::kProcessingFailed) {
      if (auto named = named_input_failure(req)) return *named;
    }
    return req.input ? explain_failure(e, *req.input, req.stop) : e;
  }

  // The input as the graph receives it: decoded (shrunk on load when the
  // rescale allows), rescaled, then cut or padded to the requested box.
  // `opaque_ok`: the output drops alpha and no op needs it, so an opaque
  // input may stay without alpha (rescale_opaque.h) unless a box is fitted.
  static Result<Image> load_input(std::string_view bytes, const RescaleRequest& rr, const Color& pad,
                                  const RunRequest& req, bool sequential, bool opaque_ok) {
    const DecodeLimits& limits = req.limits;
    // A graph that does not stream reads its input mostly in order (strips,
    // tiles, row caches): a JPEG is decoded through a window of rows then.
    if (!rr.active()) return decode(bytes, {limits, 1, req.stop, sequential, 1.0, true});
    auto size = probe(bytes);
    if (!size.ok()) return size.take_error();
    auto plan = plan_rescale(size->width, size->height, rr, limits.max_pixels);
    if (!plan.ok()) return plan.take_error();
    // A smart crop reads the scaled pixels twice: no one-pass stream then.
    const int shrink = shrink_on_load_factor(size->type, size->width, size->height, *plan);
    auto img = decode(bytes, {limits, shrink, req.stop, sequential && !needs_smart_crop(*plan),
                              vector_scale(size->width, size->height, plan->exact_width, plan->exact_height), true});
    if (!img.ok()) return img;
    const RescalePlan shrunk_plan = plan_for_shrunk(*plan, size->type, size->width, size->height, shrink);
    const bool opaque = opaque_ok && plan->fit != Fit::kCover && plan->fit != Fit::kContain;
    const Image scaled = is_vector(size->type) ? rescale_drawn(*img, *plan)
                         : opaque             ? rescale_for_opaque_output(*img, shrunk_plan)
                                              : rescale(*img, shrunk_plan);
    if (Status st = resolve_smart_crop(scaled, *plan, req.stop); !st.ok()) return st.take_error();
    return fit_to_box(scaled, *plan, pad);
  }

  std::shared_ptr<const Program> program_;
};

class ImgfloRuntime final : public Runtime {
 public:
  explicit ImgfloRuntime(const OpRegistry& registry) : registry_(registry) {}

  bool handles(std::string_view type) const override { return type == "imgflo"; }

  Result<std::unique_ptr<Executable>> compile(const graph::Graph& g) const override {
    auto program = Program::compile(g, registry_);
    if (!program.ok()) return program.take_error();
    return std::unique_ptr<Executable>(new ImgfloExecutable(std::move(*program)));
  }

 private:
  const OpRegistry& registry_;
};

}  // namespace

std::unique_ptr<Runtime> make_imgflo_runtime(const OpRegistry& registry) {
  return std::make_unique<ImgfloRuntime>(registry);
}

Status check_output_type(const std::string& out_type, const std::vector<std::string>& supported) {
  for (const auto& t : supported) {
    if (t == out_type) return ok_status();
  }
  return Error(ErrorKind::kUnsupportedType, "Unsupported image type: " + out_type, {{"supported", supported}});
}

std::vector<ParamInfo> side_parameters() {
  auto describe = [](const char* what) {
    return nlohmann::ordered_json{{"type", "int"},
                                  {"description", std::string("Requested output ") + what},
                                  {"minimum", 0},
                                  {"maximum", 2000}};
  };
  return {{"height", describe("height")}, {"width", describe("width")}};
}

std::vector<ParamInfo> rescale_parameters() {
  std::vector<ParamInfo> out = side_parameters();
  for (auto& p : fit_parameters()) out.push_back(std::move(p));
  return out;
}

}  // namespace imgflo::runtime
