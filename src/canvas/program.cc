#include "canvas/program.h"
#include "core/json.h"

#include "core/text.h"

#include "canvas/css_color.h"

#include <functional>

namespace imgflo::canvas {

namespace {

constexpr const char* kCanvasPort = "canvas";
constexpr const char* kOutputPort = "output";
// Provided by the runtime itself; a graph may not export them.
constexpr const char* kReserved[] = {"input", "width", "height"};

}  // namespace

Result<std::shared_ptr<const Program>> Program::compile(const graph::Graph& g) {
  std::shared_ptr<Program> p(new Program());
  if (Status st = p->build(g); !st.ok()) return st.take_error();
  return std::shared_ptr<const Program>(std::move(p));
}

Error Program::error(const std::string& message) const {
  return Error(ErrorKind::kGraphInvalid, "graph " + graph_name_ + ": " + message);
}

Result<Program::Target> Program::resolve(const graph::Endpoint& e, const std::string& what) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].name != e.process) continue;
    const auto& ports = nodes_[i].spec->inports;
    for (size_t p = 0; p < ports.size(); ++p) {
      if (ports[p].name == e.port) return Target{static_cast<int>(i), static_cast<int>(p)};
    }
    return error(what + " targets " + e.process + "." + e.port + ", which " + nodes_[i].spec->name +
                 " does not have");
  }
  return error(what + " targets unknown process " + e.process);
}

Status Program::build(const graph::Graph& g) {
  graph_name_ = g.name;
  for (const auto& proc : g.processes) {
    const ComponentSpec* spec = find_component(proc.component);
    if (!spec) return error("process " + proc.name + " uses unknown component " + proc.component);
    nodes_.push_back(Node{proc.name, spec, std::vector<std::vector<Feed>>(spec->inports.size())});
  }
  for (const auto& c : g.connections) {
    if (Status st = add_connection(c); !st.ok()) return st;
  }
  const graph::ExportedPort* out = g.find_outport(kOutputPort);
  if (!out) return error("no exported \"output\" port");
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].name == out->target.process && nodes_[i].spec->outport == out->target.port) output_ = static_cast<int>(i);
  }
  if (output_ < 0) return error("output port names no outport: " + out->target.process + "." + out->target.port);

  bool has_canvas = false;
  for (const auto& port : g.inports) {
    for (const char* r : kReserved) {
      if (port.name == r) return error("inport " + port.name + " is provided by the runtime and cannot be exported");
    }
    auto t = resolve(port.target, "inport " + port.name);
    if (!t.ok()) return t.take_error();
    if (port.name == kCanvasPort) {
      canvas_ = *t;
      has_canvas = true;
      continue;
    }
    const PortSpec& spec = nodes_[t->node].spec->inports[t->port];
    nlohmann::ordered_json meta{{"type", spec.type}, {"description", spec.description}};
    for (const auto& feed : nodes_[t->node].feeds[t->port]) {
      if (feed.from < 0) meta["default"] = feed.iip;
    }
    for (const auto& [k, v] : port.metadata.items()) meta[k] = v;  // the graph file may refine
    params_.push_back({port.name, *t});
    params_info_.push_back({port.name, std::move(meta)});
  }
  if (!has_canvas) return error("no exported \"canvas\" port");
  return check_acyclic();
}

Status Program::add_connection(const graph::Connection& c) {
  auto tgt = resolve(c.tgt, c.src ? "edge" : "IIP");
  if (!tgt.ok()) return tgt.take_error();
  Feed feed;
  if (c.src) {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].name == c.src->process) feed.from = static_cast<int>(i);
    }
    if (feed.from < 0) return error("edge from unknown process " + c.src->process);
    if (nodes_[feed.from].spec->outport != c.src->port) {
      return error("edge from " + c.src->process + "." + c.src->port + ", which " + nodes_[feed.from].spec->name +
                   " does not send");
    }
  } else {
    feed.iip = nlohmann::json::parse(dump_json(c.data));
  }
  nodes_[tgt->node].feeds[tgt->port].push_back(std::move(feed));
  return ok_status();
}

Status Program::check_acyclic() const {
  const bool ok = acyclic(nodes_.size(), [&](int n) {
    std::vector<int> from;
    for (const auto& port : nodes_[n].feeds) {
      for (const auto& f : port) from.push_back(f.from);
    }
    return from;
  });
  return ok ? ok_status() : error("the graph has a cycle");
}

Status Program::check_params(const request::Params& params) const {
  for (const auto& [name, value] : params) {
    const Exported* found = nullptr;
    for (const auto& e : params_) {
      if (e.name == name) found = &e;
    }
    if (!found) {
      return Error(ErrorKind::kUnknownParameter, "unknown parameter \"" + name + "\" for graph " + graph_name_,
                   {{"parameter", name}});
    }
    if (nodes_[found->target.node].spec->inports[found->target.port].type == "color") {
      auto c = parse_css_color(value);
      if (!c.ok()) return Error(ErrorKind::kInvalidArgument, name + ": " + c.error().message(), {{"parameter", name}});
    }
  }
  return ok_status();
}

Result<Ports> Program::gather(int n, const Overrides& overrides, std::vector<std::optional<Value>>& memo,
                              DrawContext& ctx) const {
  const Node& node = nodes_[n];
  Ports ports;
  for (size_t p = 0; p < node.feeds.size(); ++p) {
    const bool addressable = node.spec->inports[p].addressable;
    Value v = addressable ? Value::array() : Value();
    Value from_edge;
    for (const auto& feed : node.feeds[p]) {
      Value got = feed.iip;
      if (feed.from >= 0) {
        auto r = eval(feed.from, overrides, memo, ctx);
        if (!r.ok()) return r.take_error();
        got = std::move(*r);
      }
      if (addressable) {
        v.push_back(std::move(got));
      } else if (feed.from < 0) {
        v = std::move(got);
      } else if (!got.is_null()) {
        from_edge = std::move(got);
      }
    }
    if (!from_edge.is_null()) v = std::move(from_edge);
    if (const auto& o = overrides[n][p]) {
      if (addressable) {
        v.push_back(*o);
      } else {
        v = *o;
      }
    }
    ports.set(node.spec->inports[p].name, std::move(v));
  }
  return ports;
}

Result<Value> Program::eval(int n, const Overrides& overrides, std::vector<std::optional<Value>>& memo,
                            DrawContext& ctx) const {
  if (memo[n]) return *memo[n];
  auto ports = gather(n, overrides, memo, ctx);
  if (!ports.ok()) return ports.take_error();
  if (auto e = ctx.stop.check()) return *e;
  auto out = nodes_[n].spec->process(*ports, ctx);
  if (!out.ok()) {
    const Error& e = out.error();
    return Error(e.kind(), "process " + nodes_[n].name + ": " + e.message(), e.details());
  }
  memo[n] = *out;
  return out;
}

Result<Value> Program::run(const Value& canvas, const request::Params& params, DrawContext& ctx) const {
  Overrides overrides(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) overrides[i].resize(nodes_[i].feeds.size());
  overrides[canvas_.node][canvas_.port] = canvas;
  for (const auto& [name, value] : params) {
    for (const auto& e : params_) {
      if (e.name == name) overrides[e.target.node][e.target.port] = Value(value);
    }
  }
  std::vector<std::optional<Value>> memo(nodes_.size());
  return eval(output_, overrides, memo, ctx);
}

}  // namespace imgflo::canvas
