#include "runtime/program.h"

#include "core/text.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

namespace imgflo::runtime {

namespace {

constexpr const char* kIgnoredComponent = "Processor";

Error graph_error(const std::string& graph, const std::string& message) {
  return Error(ErrorKind::kGraphInvalid, "graph " + graph + ": " + message);
}

int pad_index(const Op& op, const std::string& port) {
  const auto& pads = op.spec().pads;
  auto it = std::find(pads.begin(), pads.end(), port);
  return it == pads.end() ? -1 : static_cast<int>(it - pads.begin());
}

nlohmann::ordered_json describe(const PropSpec& spec, const Value& def) {
  nlohmann::ordered_json m = nlohmann::ordered_json::object();
  m["type"] = std::string(type_name(spec.type));
  m["description"] = spec.description;
  m["default"] = value_to_json(spec, def);
  if (spec.minimum) m["minimum"] = *spec.minimum;
  if (spec.maximum) m["maximum"] = *spec.maximum;
  if (spec.type == PropType::kEnum) m["values"] = spec.enum_values;
  return m;
}

}  // namespace

Result<std::shared_ptr<const Program>> Program::compile(const graph::Graph& g, const OpRegistry& registry) {
  std::shared_ptr<Program> p(new Program());
  if (Status st = p->build(g, registry); !st.ok()) return st.take_error();
  return std::shared_ptr<const Program>(std::move(p));
}

int Program::node_index(const std::string& name) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Status Program::build(const graph::Graph& g, const OpRegistry& registry) {
  graph_name_ = g.name;
  std::vector<std::string> unknown;
  for (const auto& proc : g.processes) {
    if (proc.component == kIgnoredComponent) continue;
    const Op* op = registry.find(proc.component);
    if (!op) {
      unknown.push_back(proc.component + " (node " + proc.name + ")");
      continue;
    }
    Node n{proc.name, op, std::vector<int>(op->spec().pads.size(), kUnconnected),
           PropertyValues(&op->spec().properties)};
    nodes_.push_back(std::move(n));
  }
  if (!unknown.empty()) {
    std::string list;
    for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
    return graph_error(g.name, "unknown component(s): " + list);
  }
  for (const auto& c : g.connections) {
    if (Status st = add_connection(c); !st.ok()) return st;
  }

  const graph::ExportedPort* out = g.find_outport("output");
  if (!out) return graph_error(g.name, "no exported \"output\" port");
  output_ = node_index(out->target.process);
  if (output_ < 0) return graph_error(g.name, "output port names unknown node " + out->target.process);

  for (const auto& port : g.inports) {
    const int node = node_index(port.target.process);
    if (node < 0) return graph_error(g.name, "inport " + port.name + " names unknown node " + port.target.process);
    const int pad = pad_index(*nodes_[node].op, port.target.port);
    if (port.name == "input") {
      if (pad < 0) return graph_error(g.name, "inport input must target an image pad");
      input_ = std::make_pair(node, pad);
      nodes_[node].sources[pad] = kGraphInput;
      continue;
    }
    if (pad >= 0) {
      if (Status st = add_image_inport(port, node, pad); !st.ok()) return st;
      continue;
    }
    Target t{node, nodes_[node].values.index_of(port.target.port)};
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    if (t.property >= 0) {
      meta = describe(nodes_[node].values.spec(t.property), nodes_[node].values.get(t.property));
    } else {
      meta = {{"type", "string"}, {"description", "accepted and ignored"}};
    }
    for (const auto& [k, v] : port.metadata.items()) meta[k] = v;  // the graph file may refine
    params_.emplace_back(port.name, t);
    if (t.property >= 0) inports_.push_back({port.name, nodes_[node].values.spec(t.property)});
    params_info_.push_back({port.name, std::move(meta)});
  }
  if (Status st = check_acyclic(); !st.ok()) return st;
  streams_input_ = all_streaming(output_);
  adds_alpha_ = may_be_transparent(output_);
  needs_alpha_ = any_needs_alpha(output_);
  return ok_status();
}

Status Program::add_image_inport(const graph::ExportedPort& port, int node, int pad) {
  if (nodes_[node].sources[pad] <= kGraphInput) {
    return graph_error(graph_name_, "inport " + port.name + " targets a pad another image inport feeds");
  }
  nodes_[node].sources[pad] = named_source(image_names_.size());
  image_names_.push_back(port.name);
  nlohmann::ordered_json meta = {{"type", "buffer"}, {"description", port.name + " image URL"}};
  for (const auto& [k, v] : port.metadata.items()) meta[k] = v;
  params_info_.push_back({port.name, std::move(meta)});
  return ok_status();
}

bool Program::all_streaming(int node) const {
  if (!nodes_[node].op->spec().streaming) return false;
  for (int s : nodes_[node].sources) {
    if (s >= 0 && !all_streaming(s)) return false;
  }
  return true;
}

bool Program::any_needs_alpha(int node) const {
  if (nodes_[node].op->spec().needs_alpha) return true;
  for (int s : nodes_[node].sources) {
    if (s >= 0 && any_needs_alpha(s)) return true;
  }
  return false;
}

bool Program::may_be_transparent(int node) const {
  const AlphaRule rule = nodes_[node].op->spec().alpha;
  if (rule == AlphaRule::kAdds) return true;
  bool any = false, all = true, connected = false;
  for (int s : nodes_[node].sources) {
    if (s == kUnconnected) continue;
    connected = true;
    const bool source = s >= 0 && may_be_transparent(s);  // kGraphInput: opaque
    any = any || source;
    all = all && source;
  }
  return rule == AlphaRule::kComposite ? connected && all : any;
}

Status Program::add_connection(const graph::Connection& c) {
  const int tgt = node_index(c.tgt.process);
  if (tgt < 0) {
    // Edges into ignored Processor nodes just mark what to pull; anything else is a typo.
    if (c.src || c.tgt.process.empty()) return ok_status();
    return graph_error(graph_name_, "IIP targets unknown node " + c.tgt.process);
  }
  Node& node = nodes_[tgt];
  const int pad = pad_index(*node.op, c.tgt.port);
  if (c.src) {
    const int src = node_index(c.src->process);
    if (src < 0) return graph_error(graph_name_, "edge from unknown node " + c.src->process);
    if (pad < 0) {
      return graph_error(graph_name_, "edge into " + c.tgt.process + "." + c.tgt.port + ", which is not an image pad");
    }
    if (node.sources[pad] > kGraphInput) node.sources[pad] = src;  // a later edge replaces an earlier one
    return ok_status();
  }
  const int prop = node.values.index_of(c.tgt.port);
  if (prop < 0) {
    spdlog::debug("graph {}: ignoring IIP on {}.{} (no such property)", graph_name_, c.tgt.process, c.tgt.port);
    return ok_status();
  }
  auto v = convert_json(node.values.spec(prop), c.data, node.values.get(prop));
  if (!v.ok()) return graph_error(graph_name_, c.tgt.process + "." + c.tgt.port + ": " + v.error().message());
  node.values.set(prop, std::move(*v));
  return ok_status();
}

Status Program::check_acyclic() const {
  // Only what feeds the output runs; a cycle elsewhere would never be evaluated, but is still an error.
  const bool ok = acyclic(nodes_.size(), [&](int n) { return nodes_[n].sources; });
  return ok ? ok_status() : graph_error(graph_name_, "the graph has a cycle");
}

Status Program::check_params(const request::Params& params) const {
  for (const auto& entry : params) {
    const std::string& name = entry.first;
    const bool known = std::any_of(params_.begin(), params_.end(), [&](const auto& p) { return p.first == name; });
    if (!known) {
      return Error(ErrorKind::kUnknownParameter, "unknown parameter \"" + name + "\" for graph " + graph_name_,
                   {{"parameter", name}});
    }
  }
  return ok_status();
}

Result<Program::RunImages> Program::run_images(const Image* input, const NamedImages& images) const {
  if (input_ && !input) return Error(ErrorKind::kInvalidArgument, "graph " + graph_name_ + " needs an input image");
  RunImages run{input, {}};
  for (const auto& name : image_names_) {
    auto it = std::find_if(images.begin(), images.end(), [&](const auto& i) { return i.first == name; });
    if (it == images.end()) {
      return Error(ErrorKind::kInvalidArgument, "graph " + graph_name_ + " needs a \"" + name + "\" image",
                   {{"parameter", name}});
    }
    run.named.push_back(&it->second);
  }
  return run;
}

Result<Image> Program::run(const Image* input, const request::Params& params, const Stop& stop, uint64_t max_pixels,
                           const NamedImages& images) const {
  if (Status st = check_params(params); !st.ok()) return st.take_error();
  auto run_imgs = run_images(input, images);
  if (!run_imgs.ok()) return run_imgs.take_error();
  std::vector<PropertyValues> values;
  values.reserve(nodes_.size());
  for (const auto& n : nodes_) values.push_back(n.values);
  for (const auto& [name, text] : params) {
    for (const auto& [pname, t] : params_) {
      if (pname != name || t.property < 0) continue;
      PropertyValues& pv = values[t.node];
      auto v = request::parse_param(pv.spec(t.property), name, text);
      if (!v.ok()) return v.take_error();
      pv.set(t.property, std::move(*v));
    }
  }
  std::vector<std::optional<Image>> memo(nodes_.size());
  const OpContext ctx(stop, max_pixels);
  return eval(output_, *run_imgs, values, ctx, memo);
}

Result<Image> Program::eval(int index, const RunImages& images, const std::vector<PropertyValues>& values,
                            const OpContext& ctx, std::vector<std::optional<Image>>& memo) const {
  if (memo[index]) return *memo[index];
  const Node& node = nodes_[index];
  std::vector<Image> held(node.sources.size());
  std::vector<const Image*> pads(node.sources.size(), nullptr);
  for (size_t pad = 0; pad < node.sources.size(); ++pad) {
    const int src = node.sources[pad];
    if (src <= kGraphInput) {
      pads[pad] = images.source(src);
    } else if (src >= 0) {
      auto r = eval(src, images, values, ctx, memo);
      if (!r.ok()) return r;
      held[pad] = std::move(*r);
      pads[pad] = &held[pad];
    }
  }
  if (auto e = ctx.check()) return *e;
  OpInputs in;
  const auto& spec_pads = node.op->spec().pads;
  for (size_t pad = 0; pad < spec_pads.size(); ++pad) {
    (spec_pads[pad] == "aux" ? in.aux : in.input) = pads[pad];
  }
  try {
    auto r = node.op->run(in, values[index], ctx);
    if (!r.ok()) return r;
    memo[index] = *r;
    return r;
  } catch (const vips::VError& e) {
    spdlog::warn("graph {}: node {} ({}) failed: {}", graph_name_, node.name, node.op->spec().component, e.what());
    return Error(ErrorKind::kProcessingFailed,
                 "node " + node.name + " (" + node.op->spec().component + ") failed");
  }
}

std::vector<std::string> Program::components() const {
  std::vector<std::string> out;
  for (const Node& n : nodes_) out.push_back(n.op->spec().component);
  return out;
}

}  // namespace imgflo::runtime
