// A compiled imgflo graph: nodes bound to ops, IIPs converted, output traced.
//
// compile() checks everything that can be checked without pixels: every
// process names a registered component (Processor nodes, the Flowhub
// "drive this sink" helper, are ignored), edges target real pads, IIPs
// convert to their property's type, the exported "output" exists, there is no
// cycle. Following the original runtime, a later edge into the same pad
// replaces an earlier one, the graph input replaces any edge into the pad the
// "input" inport names, and IIPs on ports the op does not have are ignored.
//
// Image inputs: the exported "input" and any other exported inport that
// targets an image pad (e.g. the watermark graph's "watermark" -> aux). Each
// is given to run() as an Image; the others are properties set by request
// parameters.
//
// A Program is immutable; run() may be called from many threads at once.
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "graph/graph.h"
#include "request/param_value.h"
#include "request/params.h"
#include "runtime/image.h"
#include "runtime/property.h"
#include "runtime/registry.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace imgflo::runtime {


// An exported inport as the catalogue shows it.
struct ParamInfo {
  std::string name;
  nlohmann::ordered_json metadata;  // type, description, default, minimum, maximum, values
};

// Images for a graph's named image inports (besides "input"), by name.
using NamedImages = std::vector<std::pair<std::string, Image>>;

class Program {
 public:
  static Result<std::shared_ptr<const Program>> compile(const graph::Graph& g, const OpRegistry& registry);

  // Exported inports except "input", in graph order, with typed metadata
  // (named image inports are "buffer"s, like "input" in the catalogue).
  const std::vector<ParamInfo>& parameters() const { return params_info_; }
  // Names of the exported image inports besides "input", in graph order.
  const std::vector<std::string>& image_inputs() const { return image_names_; }
  // The exported inports that set a property, typed (request::convert_params).
  const request::Inports& inports() const { return inports_; }
  // True when the graph exports an "input" inport.
  bool takes_input() const { return input_.has_value(); }
  // True when every node that feeds the output is a streaming op (OpSpec::streaming):
  // the input may then be a sequential decoding stream.
  bool streams_input() const { return streams_input_; }
  // True when the result may carry transparency even from an opaque input,
  // by the AlphaRule of each op feeding the output (the graph input counts as
  // opaque). A composite is taken as transparent only where both its pads
  // are: this assumes the backdrop covers the aux, as in every bundled graph
  // (an aux reaching beyond it would show its own alpha there).
  bool may_add_alpha() const { return adds_alpha_; }
  // True unless every node that feeds the output declares it needs no alpha
  // band (OpSpec::needs_alpha): false lets an opaque input run on 3 bands
  // when the output drops alpha (the opaque fast path).
  bool needs_alpha() const { return needs_alpha_; }

  // The component of every node (e.g. "gegl/gaussian-blur"), once per node,
  // for the per-op costs of the memory estimate (runtime/memory_estimate.h).
  std::vector<std::string> components() const;

  // Errors (kUnknownParameter) for names the graph does not export.
  Status check_params(const request::Params& params) const;

  // Runs the graph on `input` (ignored when !takes_input()), with request
  // parameters applied after the graph's IIPs (later duplicates win). No
  // intermediate image may exceed `max_pixels`. `images` holds the named
  // image inputs (every one of image_inputs() is required: kInvalidArgument
  // naming it when absent; extra names are ignored).
  Result<Image> run(const Image* input, const request::Params& params, const Stop& stop, uint64_t max_pixels,
                    const NamedImages& images = {}) const;

 private:
  static constexpr int kUnconnected = -1;
  static constexpr int kGraphInput = -2;
  // Sources below kGraphInput: named image input (kGraphInput - 1 - index).
  static constexpr int named_source(size_t index) { return kGraphInput - 1 - static_cast<int>(index); }

  // The images of one run: "input" and the named ones, indexed like image_names_.
  struct RunImages {
    const Image* input = nullptr;
    std::vector<const Image*> named;
    const Image* source(int src) const { return src == kGraphInput ? input : named[kGraphInput - 1 - src]; }
  };

  struct Node {
    std::string name;
    const Op* op = nullptr;
    std::vector<int> sources;  // per op pad: node index, kUnconnected or kGraphInput
    PropertyValues values;
  };
  struct Target {
    int node = -1;
    int property = -1;  // -1: the port is not a property (accepted, no effect)
  };

  Program() = default;
  Status build(const graph::Graph& g, const OpRegistry& registry);
  Status add_connection(const graph::Connection& c);
  Status check_acyclic() const;
  bool all_streaming(int node) const;
  bool may_be_transparent(int node) const;
  bool any_needs_alpha(int node) const;
  int node_index(const std::string& name) const;
  Status add_image_inport(const graph::ExportedPort& port, int node, int pad);
  Result<RunImages> run_images(const Image* input, const NamedImages& images) const;
  Result<Image> eval(int node, const RunImages& images, const std::vector<PropertyValues>& values,
                     const OpContext& ctx, std::vector<std::optional<Image>>& memo) const;

  std::string graph_name_;
  std::vector<Node> nodes_;
  int output_ = -1;
  std::optional<std::pair<int, int>> input_;  // node, pad
  std::vector<std::string> image_names_;      // named image inports, source named_source(i)
  std::vector<std::pair<std::string, Target>> params_;
  std::vector<ParamInfo> params_info_;
  request::Inports inports_;
  bool streams_input_ = false;
  bool adds_alpha_ = false;
  bool needs_alpha_ = true;
};

}  // namespace imgflo::runtime
