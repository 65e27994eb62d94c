// The graph catalogue: every graph in the graph folder, loaded and compiled
// once, with the typed description behind GET /graphs.
//
// Immutable after load(); lookups and runs are safe from any thread.
#pragma once

#include "core/error.h"
#include "graph/graph.h"
#include "runtime/runtime.h"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::runtime {

struct GraphEntry {
  graph::Graph graph;
  std::unique_ptr<Executable> executable;
  // FBP JSON of the graph with each public inport's metadata filled in
  // (type, description, default, minimum, maximum, values).
  nlohmann::ordered_json description;
  // The executable's typed inports (request::convert_params before a job is queued).
  request::Inports inports;
};

class Catalogue {
 public:
  // Loads every *.json and *.fbp file in `dir` with the given runtimes
  // (chosen by properties.environment.type; app::builtin_runtimes() lists
  // the service's). Any graph that fails to parse or compile fails the whole
  // load, with every problem listed.
  static Result<std::unique_ptr<Catalogue>> load(const std::filesystem::path& dir,
                                                 std::vector<std::unique_ptr<Runtime>> runtimes);

  // kNotFound for unknown names.
  Result<const GraphEntry*> find(std::string_view name) const;
  // Executable::check, with kUnknownParameter errors carrying the graph's
  // description (the original's 449 body) and kUnsupportedType the list.
  Status check(const GraphEntry& entry, const RunRequest& request) const;
  // {"graphs": {name: description, ...}} in name order.
  const nlohmann::ordered_json& listing() const { return listing_; }
  std::vector<std::string> names() const;

 private:
  Catalogue() = default;
  std::vector<std::unique_ptr<Runtime>> runtimes_;
  std::map<std::string, GraphEntry, std::less<>> graphs_;
  nlohmann::ordered_json listing_;
};

// Default graph folder: $IMGFLO_GRAPHDIR, else <exe dir>/../graphs, else ./graphs.
std::filesystem::path default_graph_dir();

}  // namespace imgflo::runtime
