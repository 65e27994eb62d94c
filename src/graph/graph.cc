#include "graph/graph.h"

#include <fstream>
#include <sstream>

namespace imgflo::graph {

namespace {

template <typename T>
const T* find_named(const std::vector<T>& items, std::string_view name) {
  for (const auto& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

ojson endpoint_json(const Endpoint& e) { return ojson{{"process", e.process}, {"port", e.port}}; }

ojson ports_json(const std::vector<ExportedPort>& ports) {
  ojson out = ojson::object();
  for (const auto& p : ports) {
    ojson port = endpoint_json(p.target);
    port["metadata"] = p.metadata;
    out[p.name] = std::move(port);
  }
  return out;
}

}  // namespace

const Process* Graph::find_process(std::string_view n) const { return find_named(processes, n); }
const ExportedPort* Graph::find_inport(std::string_view n) const { return find_named(inports, n); }
const ExportedPort* Graph::find_outport(std::string_view n) const { return find_named(outports, n); }

Result<Graph> load_graph_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorKind::kNotFound, "cannot read graph file " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::string source = path.string();
  Result<Graph> parsed = path.extension() == ".fbp" ? parse_fbp_graph(text.str(), source)
                                                    : parse_json_graph(text.str(), source);
  if (parsed.ok()) parsed->name = path.stem().string();
  return parsed;
}

ojson to_json(const Graph& g) {
  ojson processes = ojson::object();
  for (const auto& p : g.processes) {
    processes[p.name] = ojson{{"component", p.component}, {"metadata", p.metadata}};
  }
  ojson connections = ojson::array();
  for (const auto& c : g.connections) {
    ojson conn = ojson::object();
    if (c.src) {
      conn["src"] = endpoint_json(*c.src);
    } else {
      conn["data"] = c.data;
    }
    conn["tgt"] = endpoint_json(c.tgt);
    connections.push_back(std::move(conn));
  }
  return ojson{{"properties", g.properties},     {"inports", ports_json(g.inports)},
               {"outports", ports_json(g.outports)}, {"processes", std::move(processes)},
               {"connections", std::move(connections)}};
}

}  // namespace imgflo::graph
