// The NoFlo-like components the canvas runtime executes.
//
// A canvas graph is a NoFlo graph of the components the original's graphs
// used (core/Split, canvas/Fill, seedrandom/RandomArray, ...). We run it as a
// dataflow of values: each process runs once, when the values of its inports
// are known, and sends one value on its outport. Values are JSON (numbers,
// strings, arrays, objects such as {"type": "point", "x": 1, "y": 2}); the
// canvas itself travels as {"type": "canvas", "width": W, "height": H} and
// its pixels live in the run's DrawContext.
//
// An inport without data reads as null; a component given null where it
// needs data sends null (NoFlo would send nothing), and a process that
// receives null on an edge keeps its IIP value instead.
#pragma once

#include "canvas/surface.h"
#include "core/deadline.h"
#include "core/error.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::canvas {

using Value = nlohmann::json;

// What a Draw process paints on: the run's one canvas.
struct DrawContext {
  Surface& surface;
  const Stop& stop;
};

struct PortSpec {
  std::string name;
  std::string type;         // for the catalogue: "string", "number", "int", "color", "object", "array", "boolean"
  std::string description;
  bool addressable = false; // one value per connection, in connection order (an array)
};

class Ports {
 public:
  // The value on `port`, null when none arrived.
  const Value& operator[](std::string_view port) const;
  void set(const std::string& port, Value v) { values_[port] = std::move(v); }

 private:
  std::map<std::string, Value, std::less<>> values_;
};

using ProcessFn = Result<Value> (*)(const Ports& in, DrawContext& ctx);

struct ComponentSpec {
  std::string name;  // "canvas/Fill"
  std::string description;
  std::vector<PortSpec> inports;
  std::string outport;
  ProcessFn process = nullptr;

  const PortSpec* inport(std::string_view port) const;
};

// The registered components; nullptr for unknown names.
const ComponentSpec* find_component(std::string_view name);

// Per-library lists, joined by find_component (components_*.cc).
std::vector<ComponentSpec> data_components();      // core, objects, math, strings, md5, seedrandom
std::vector<ComponentSpec> geometry_components();  // geometry/Delaunay
std::vector<ComponentSpec> canvas_components();    // canvas/Make*, canvas/Fill, canvas/Draw

// Helpers for component code.
// A number from a number, boolean or numeric string (JavaScript Number()); nullopt otherwise.
std::optional<double> to_number(const Value& v);
// A string from a string or number (JavaScript String()); nullopt for null.
std::optional<std::string> to_string(const Value& v);

}  // namespace imgflo::canvas
