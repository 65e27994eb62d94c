// A compiled canvas graph: processes bound to components, connections and
// IIPs sorted per inport, exported ports resolved.
//
// compile() checks what can be checked without running: every process names
// a known component, edges leave from a component's outport and enter one of
// its inports, IIPs and exported inports target real inports, the graph
// exports "canvas" (where the runtime's canvas enters) and "output" (where
// the drawn canvas leaves), it does not export the names the runtime
// provides itself (input, width, height), and there is no cycle.
//
// Run semantics (the NoFlo network, settled): each process runs once, after
// the processes feeding it. A single-value inport takes its last IIP, then
// the value of its last edge that sent something (non-null), then the
// request parameter or canvas exported onto it. An addressable inport takes
// one value per connection, in connection order.
//
// A Program is immutable; run() may be called from many threads at once.
#pragma once

#include "canvas/component.h"
#include "graph/graph.h"
#include "runtime/program.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace imgflo::canvas {

class Program {
 public:
  static Result<std::shared_ptr<const Program>> compile(const graph::Graph& g);

  // Exported inports except "canvas", with typed metadata (type and
  // description of the component port, default from its IIP, refined by the
  // graph file's metadata).
  const std::vector<runtime::ParamInfo>& parameters() const { return params_info_; }

  // kUnknownParameter for a name the graph does not export (the runtime's
  // width/height are not this program's business: remove them first);
  // kInvalidArgument for a value a colour port cannot use.
  Status check_params(const request::Params& params) const;

  // Runs the network with `canvas` on the exported canvas inport and the
  // request parameters (strings) on theirs; returns what reached "output".
  Result<Value> run(const Value& canvas, const request::Params& params, DrawContext& ctx) const;

 private:
  struct Feed {
    int from = -1;  // source process, or -1 for an IIP
    Value iip;
  };
  struct Node {
    std::string name;
    const ComponentSpec* spec = nullptr;
    std::vector<std::vector<Feed>> feeds;  // per inport of spec, in connection order
  };
  struct Target {
    int node = -1;
    int port = -1;
  };
  struct Exported {
    std::string name;
    Target target;
  };
  using Overrides = std::vector<std::vector<std::optional<Value>>>;  // per node, per inport

  Program() = default;
  Status build(const graph::Graph& g);
  Status add_connection(const graph::Connection& c);
  Result<Target> resolve(const graph::Endpoint& e, const std::string& what) const;
  Status check_acyclic() const;
  Error error(const std::string& message) const;
  Result<Value> eval(int node, const Overrides& overrides, std::vector<std::optional<Value>>& memo,
                     DrawContext& ctx) const;
  Result<Ports> gather(int node, const Overrides& overrides, std::vector<std::optional<Value>>& memo,
                       DrawContext& ctx) const;

  std::string graph_name_;
  std::vector<Node> nodes_;
  int output_ = -1;
  Target canvas_;
  std::vector<Exported> params_;
  std::vector<runtime::ParamInfo> params_info_;
};

}  // namespace imgflo::canvas
