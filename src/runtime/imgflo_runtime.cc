// The imgflo runtime: graphs of GEGL-named ops, executed on libvips.
//
// One run: decode the input (shrink-on-load when a rescale allows it) ->
// optional width/height rescale -> the compiled Program -> encode.
#include "runtime/rescale.h"
#include "runtime/rescale_drawn.h"
#include "runtime/runtime.h"

#include <spdlog/spdlog.h>

namespace imgflo::runtime {

namespace {

const std::vector<std::string> kImgfloTypes = {"jpg", "jpeg", "png"};

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

  std::vector<std::string> output_types() const override { return kImgfloTypes; }

  std::vector<ParamInfo> parameters() const override {
    std::vector<ParamInfo> out = program_->parameters();
    for (auto& p : rescale_parameters()) out.push_back(std::move(p));
    return out;
  }

  request::Inports inports() const override { return program_->inports(); }

  Status check(const RunRequest& req) const override {
    if (Status st = check_output_type(req.out_type, kImgfloTypes); !st.ok()) return st;
    request::Params params = req.params;
    take_rescale_params(params);
    if (Status st = program_->check_params(params); !st.ok()) return st;
    if (program_->takes_input() && !req.input) {
      return Error(ErrorKind::kInvalidArgument, "this graph needs an \"input\" image");
    }
    return ok_status();
  }

  Result<Output> run(const RunRequest& req) const override {
    if (Status st = check(req); !st.ok()) return st.take_error();
    request::Params params = req.params;
    const RescaleRequest rescale_req = take_rescale_params(params);

    std::optional<Image> input;
    if (program_->takes_input()) {
      auto loaded = load_input(*req.input, rescale_req, req.limits, req.stop, program_->streams_input());
      if (!loaded.ok()) return loaded.take_error();
      input = std::move(*loaded);
    }
    auto result = program_->run(input ? &*input : nullptr, params, req.stop, req.limits.max_pixels);
    if (!result.ok()) return failure(result.take_error(), req);

    const bool png = req.out_type == "png";
    auto bytes = encode(*result, png ? OutputType::kPng : OutputType::kJpeg, req.stop);
    if (!bytes.ok()) return failure(bytes.take_error(), req);
    return Output{std::move(*bytes), png ? "png" : "jpg", png ? "image/png" : "image/jpeg"};
  }

 private:
  static Error failure(Error e, const RunRequest& req) {
    return req.input ? explain_failure(e, *req.input, req.stop) : e;
  }

  static Result<Image> load_input(std::string_view bytes, const RescaleRequest& rr, const DecodeLimits& limits,
                                  const Stop& stop, bool sequential) {
    if (!rr.active()) return decode(bytes, {limits, 1, stop, sequential});
    auto size = probe(bytes);
    if (!size.ok()) return size.take_error();
    auto plan = plan_rescale(size->width, size->height, rr, limits.max_pixels);
    if (!plan.ok()) return plan.take_error();
    auto img = decode(bytes, {limits, shrink_on_load_factor(size->width, size->height, *plan), stop, sequential,
                              vector_scale(size->width, size->height, plan->exact_width, plan->exact_height)});
    if (!img.ok()) return img;
    return is_vector(size->type) ? rescale_drawn(*img, *plan) : rescale(*img, *plan);
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

std::vector<ParamInfo> rescale_parameters() {
  auto describe = [](const char* what) {
    return nlohmann::ordered_json{{"type", "int"},
                                  {"description", std::string("Requested output ") + what},
                                  {"minimum", 0},
                                  {"maximum", 2000}};
  };
  return {{"height", describe("height")}, {"width", describe("width")}};
}

}  // namespace imgflo::runtime
