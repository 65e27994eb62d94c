// The runtime seam: what every graph kind (imgflo ops on libvips, the Cairo
// canvas, the byte-copying noop) offers the rest of the service.
//
//   Runtime::compile(graph)  -> Executable   (once, at catalogue load)
//   Executable::check(req)   -> Status       (cheap: types and parameter names)
//   Executable::inports()    -> typed inports (parameter values, converted at the edge)
//   Executable::run(req)     -> Output       (the work: decode, process, encode)
//
// Executables are immutable and thread-safe: one instance serves every run of
// its graph, on any number of threads at once.
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "graph/graph.h"
#include "runtime/codec.h"
#include "runtime/program.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::runtime {

struct RunRequest {
  // Normalised output extension: "jpg", "png", or "" (noop: keep the input's bytes).
  std::string out_type;
  // Input image bytes; nullopt when the request has no input.
  std::optional<std::string_view> input;
  // Bytes of the named image inputs besides "input" (Executable::image_inputs()).
  std::vector<std::pair<std::string, std::string_view>> images;
  // Request parameters in query order, without "input" and "_nocache".
  request::Params params;
  DecodeLimits limits;
  Stop stop;
};

struct Output {
  std::string bytes;
  std::string extension;     // of the bytes actually produced ("png", "jpg", "gif", ...)
  std::string content_type;  // matching MIME type
};

class Executable {
 public:
  virtual ~Executable() = default;
  // Output extensions the graph can produce (for the 449 "supported" list).
  virtual std::vector<std::string> output_types() const = 0;
  // Public parameters (exported inports), typed, for the catalogue.
  virtual std::vector<ParamInfo> parameters() const = 0;
  // The typed inports whose request values are converted at the edge
  // (request::convert_params), before any work; empty when the runtime
  // converts its parameters itself.
  virtual request::Inports inports() const { return {}; }
  // Exported inports that are internal plumbing, left out of the public
  // catalogue (the canvas runtime's "canvas").
  virtual std::vector<std::string> hidden_inports() const { return {}; }
  // Names of the image inputs besides "input" (request parameters that are
  // image references, fetched like "input"; RunRequest::images). Each is
  // required: check() refuses a request without it.
  virtual std::vector<std::string> image_inputs() const { return {}; }
  // Fast validation before any work: output type (kUnsupportedType) and
  // parameter names (kUnknownParameter), and whether an input is required.
  virtual Status check(const RunRequest& request) const = 0;
  // True when the result may carry alpha whatever the input (transparency the
  // graph itself makes: a canvas, a rotation's corners). A request that
  // negotiates its type (request/negotiate.h) then falls back to PNG, not JPEG.
  // Alpha an input brings along is not counted (the key is chosen before the
  // input is seen; without negotiation such inputs become JPEG as in the original).
  virtual bool result_may_have_alpha() const { return false; }
  virtual Result<Output> run(const RunRequest& request) const = 0;
  // The most memory run(request) may hold at once, in bytes, estimated from
  // the inputs' headers and the compiled graph before anything is decoded
  // (runtime/memory_estimate.h; the admission of jobs/memory_budget.h).
  // Errors: those of the headers and parameters, as run() would give them.
  // The default (runtimes that decode nothing large): a fixed per-job share
  // plus twice the inputs' bytes.
  virtual Result<uint64_t> estimate_memory(const RunRequest& request) const;
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  // The properties.environment.type values this runtime executes.
  virtual bool handles(std::string_view environment_type) const = 0;
  virtual Result<std::unique_ptr<Executable>> compile(const graph::Graph& g) const = 0;
};

// The runtimes of this library (the canvas runtime is canvas/canvas_runtime.h;
// app/runtimes.h lists them all).
std::unique_ptr<Runtime> make_imgflo_runtime(const OpRegistry& registry);
std::unique_ptr<Runtime> make_noop_runtime();

// Shared helpers for Executable implementations.
Status check_output_type(const std::string& out_type, const std::vector<std::string>& supported);
// The universal "width"/"height" parameters as the catalogue describes them
// (canvas graphs, whose canvas size they are).
std::vector<ParamInfo> side_parameters();
// The universal rescale parameters of imgflo graphs: side_parameters() plus
// fit_parameters() (runtime/rescale.h: fit, gravity, background, dpr).
std::vector<ParamInfo> rescale_parameters();
// fit, gravity, background and dpr, typed (defined beside their parsing, in rescale.cc).
std::vector<ParamInfo> fit_parameters();

}  // namespace imgflo::runtime
