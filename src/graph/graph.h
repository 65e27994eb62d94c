// The graph model: what a graph file says, parsed once into types.
//
// A Graph is the FBP description of a processing network: processes (nodes
// with a component name), connections in file order (edges between ports, or
// IIPs that put a literal value on a port), and exported in/outports that name
// the graph's public interface. The model knows nothing about images; the
// runtime compiles it against an op registry.
//
// Graphs are immutable after parsing and safe to share between threads.
#pragma once

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::graph {

using ojson = nlohmann::ordered_json;

struct Endpoint {
  std::string process;
  std::string port;
  bool operator==(const Endpoint&) const = default;
};

struct Process {
  std::string name;
  std::string component;
  ojson metadata = ojson::object();
};

// Either an edge (src set) or an IIP (src empty, `data` holds the literal).
struct Connection {
  std::optional<Endpoint> src;
  ojson data;  // IIP value: string, number or boolean
  Endpoint tgt;
  bool is_iip() const { return !src.has_value(); }
};

struct ExportedPort {
  std::string name;  // public name, e.g. "cropwidth"
  Endpoint target;   // e.g. {crop, width}
  ojson metadata = ojson::object();
};

struct Graph {
  std::string name;     // from the file name, e.g. "crop"
  std::string runtime;  // properties.environment.type; "imgflo" when absent
  ojson properties = ojson::object();
  std::vector<Process> processes;
  std::vector<Connection> connections;
  std::vector<ExportedPort> inports;
  std::vector<ExportedPort> outports;

  const Process* find_process(std::string_view name) const;
  const ExportedPort* find_inport(std::string_view name) const;
  const ExportedPort* find_outport(std::string_view name) const;
};

// Parses FBP JSON (the format Flowhub and noflo write). `source` names the
// text in error messages (usually the file path). Syntax errors report
// source:line:column; structural errors name the offending member.
Result<Graph> parse_json_graph(std::string_view text, std::string_view source);

// Parses the .fbp DSL subset the original graphs use:
//   # comment
//   INPORT=node.PORT:NAME      OUTPORT=node.PORT:NAME
//   'value' -> PORT node(Component)
//   a(Comp) OUT -> IN b(Comp) OUT -> IN c
// Port and exported names are lower-cased, as the fbp tool does. Errors report
// source:line:column.
Result<Graph> parse_fbp_graph(std::string_view text, std::string_view source);

// Reads and parses a .json or .fbp file; the graph is named after the file stem.
Result<Graph> load_graph_file(const std::filesystem::path& path);

// FBP JSON for a graph (properties, processes, connections, inports, outports).
ojson to_json(const Graph& g);

}  // namespace imgflo::graph
