// The canvas runtime: the original's NoFlo graphs (environment types
// noflo-browser, noflo-nodejs), drawn with Cairo as node-canvas did.
//
// One run, as the original server wired it around the graph:
//   canvas  -- without input: a transparent canvas of width x height
//              (default 600 x 400); with an input image: the image, scaled to
//              width x height when given (one side alone keeps the aspect)
//   graph   -- the canvas enters on the exported "canvas" inport, the
//              parameters on theirs; "output" sends the drawn canvas
//   save    -- PNG (RGBA) or JPEG (quality 75, 4:2:0) as the original, or
//              GIF, WebP, AVIF, JPEG XL; quality/lossless, see encode.h
#include "canvas/canvas_runtime.h"

#include "canvas/encode.h"
#include "canvas/program.h"
#include "runtime/output_encode.h"
#include "runtime/output_options.h"
#include "runtime/rescale.h"

#include <cmath>

namespace imgflo::runtime {

namespace {

namespace cv = imgflo::canvas;

constexpr int kDefaultWidth = 600;
constexpr int kDefaultHeight = 400;

struct Size {
  int width, height;
};

// The canvas size for an input of in_w x in_h: the requested sides, the
// missing one following the input's aspect ratio; kTooLarge over the limit
// (checked in floating point, before anything is converted or allocated).
Result<Size> canvas_size(int in_w, int in_h, const RescaleRequest& rr, const DecodeLimits& limits) {
  double w = in_w, h = in_h;
  if (rr.width > 0 && rr.height > 0) {
    w = rr.width, h = rr.height;
  } else if (rr.width > 0) {
    w = rr.width, h = std::max(1.0, std::round(double(in_h) * rr.width / in_w));
  } else if (rr.height > 0) {
    w = std::max(1.0, std::round(double(in_w) * rr.height / in_h)), h = rr.height;
  }
  if (Status st = check_output_size(w, h, limits.max_pixels, "the canvas"); !st.ok()) return st.take_error();
  return Size{static_cast<int>(w), static_cast<int>(h)};
}

Result<cv::Surface> make_surface(const RunRequest& req, const RescaleRequest& rr) {
  if (!req.input) {
    RescaleRequest sides = rr;
    if (sides.width <= 0) sides.width = kDefaultWidth;
    if (sides.height <= 0) sides.height = kDefaultHeight;
    auto s = canvas_size(sides.width, sides.height, sides, req.limits);
    if (!s.ok()) return s.take_error();
    return cv::Surface::create(s->width, s->height);
  }
  auto header = probe(*req.input);  // the size is admitted before any pixel is decoded
  if (!header.ok()) return header.take_error();
  auto s = canvas_size(header->width, header->height, rr, req.limits);
  if (!s.ok()) return s.take_error();
  auto img = decode(*req.input, {req.limits, 1, req.stop});
  if (!img.ok()) return img.take_error();
  auto surface = cv::Surface::create(s->width, s->height);
  if (!surface.ok()) return surface;
  if (auto e = req.stop.check()) return *e;
  try {
    surface->draw_image(*img);
  } catch (const vips::VError&) {
    return Error(ErrorKind::kUndecodable, "input image is truncated or corrupt");
  }
  return surface;
}

class CanvasExecutable final : public Executable {
 public:
  CanvasExecutable(std::string name, std::shared_ptr<const cv::Program> program)
      : name_(std::move(name)), program_(std::move(program)) {}

  std::vector<std::string> output_types() const override { return encoded_output_types(); }

  std::vector<ParamInfo> parameters() const override {
    std::vector<ParamInfo> out = program_->parameters();
    for (auto& p : side_parameters()) out.push_back(std::move(p));
    for (auto& p : output_parameters()) out.push_back(std::move(p));
    out.push_back({"input",
                   {{"type", "buffer"}, {"description", "Input image URL (optional): the canvas starts from it"}}});
    return out;
  }

  std::vector<std::string> hidden_inports() const override { return {"canvas"}; }

  // A canvas starts transparent; any colour may be translucent.
  bool result_may_have_alpha() const override { return true; }

  Status check(const RunRequest& req) const override {
    if (Status st = check_output_type(req.out_type, encoded_output_types()); !st.ok()) return st;
    request::Params params = req.params;
    take_side_params(params);
    if (auto options = take_output_params(params, req.out_type); !options.ok()) return options.take_error();
    return program_->check_params(params);
  }

  Result<Output> run(const RunRequest& req) const override {
    if (Status st = check(req); !st.ok()) return st.take_error();
    request::Params params = req.params;
    const RescaleRequest rr = take_side_params(params);
    auto options = take_output_params(params, req.out_type);
    if (!options.ok()) return options.take_error();
    auto surface = make_surface(req, rr);
    if (!surface.ok()) return surface.take_error();

    const cv::Value canvas{{"type", "canvas"}, {"width", surface->width()}, {"height", surface->height()}};
    cv::DrawContext ctx{*surface, req.stop};
    auto out = program_->run(canvas, params, ctx);
    if (!out.ok()) return out.take_error();
    if (!out->is_object() || out->value("type", "") != "canvas") {
      return Error(ErrorKind::kProcessingFailed, "graph " + name_ + " sent no canvas to its output");
    }
    return cv::encode_canvas(*surface, req.out_type, *options, req.stop);
  }

 private:
  std::string name_;
  std::shared_ptr<const cv::Program> program_;
};

class CanvasRuntime final : public Runtime {
 public:
  bool handles(std::string_view type) const override { return type == "noflo-browser" || type == "noflo-nodejs"; }

  Result<std::unique_ptr<Executable>> compile(const graph::Graph& g) const override {
    auto program = cv::Program::compile(g);
    if (!program.ok()) return program.take_error();
    return std::unique_ptr<Executable>(new CanvasExecutable(g.name, std::move(*program)));
  }
};

}  // namespace

}  // namespace imgflo::runtime

namespace imgflo::canvas {

std::unique_ptr<runtime::Runtime> make_canvas_runtime() { return std::make_unique<runtime::CanvasRuntime>(); }

}  // namespace imgflo::canvas
