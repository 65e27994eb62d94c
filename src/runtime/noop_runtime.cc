// The noop runtime: the result is the input's bytes, unchanged (used to proxy
// and cache images, animated GIFs included).
#include "core/mime.h"
#include "runtime/runtime.h"

namespace imgflo::runtime {

namespace {

// The name a stored copy gets: the four formats the original passed through
// and browsers show. Other accepted inputs (HEIC, AVIF, JPEG XL, TIFF, and SVG,
// which can carry script) stay unnamed, served as application/octet-stream,
// as any unrecognised input always was.
std::string passthrough_extension(ImageType t) {
  switch (t) {
    case ImageType::kJpeg:
    case ImageType::kPng:
    case ImageType::kGif:
    case ImageType::kWebp: return std::string(type_extension(t));
    default: return "";
  }
}

class NoopExecutable final : public Executable {
 public:
  std::vector<std::string> output_types() const override { return {}; }  // any
  std::vector<ParamInfo> parameters() const override { return {}; }

  Status check(const RunRequest& req) const override {
    if (!req.params.empty()) {
      const std::string& name = req.params.front().first;
      return Error(ErrorKind::kUnknownParameter, "unknown parameter \"" + name + "\" for graph noop",
                   {{"parameter", name}});
    }
    if (!req.input) return Error(ErrorKind::kInvalidArgument, "this graph needs an \"input\" image");
    return ok_status();
  }

  Result<Output> run(const RunRequest& req) const override {
    if (Status st = check(req); !st.ok()) return st.take_error();
    if (auto e = req.stop.check()) return *e;
    const std::string ext = passthrough_extension(sniff(*req.input));
    return Output{std::string(*req.input), req.out_type.empty() ? ext : req.out_type,
                  std::string(content_type_for(ext))};
  }
};

class NoopRuntime final : public Runtime {
 public:
  bool handles(std::string_view type) const override { return type == "noop"; }
  Result<std::unique_ptr<Executable>> compile(const graph::Graph&) const override {
    return std::unique_ptr<Executable>(new NoopExecutable());
  }
};

}  // namespace

std::unique_ptr<Runtime> make_noop_runtime() { return std::make_unique<NoopRuntime>(); }

}  // namespace imgflo::runtime
