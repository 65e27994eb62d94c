// Typed op properties: specs, values, and the conversion rules of the
// original runtime.
//
// Every op declares its properties as PropSpecs (type, description, default,
// range, enum nicks). Values reach a property either as JSON IIPs in the graph
// file or as strings from the request; both are converted here, once, with the
// original's rules (imgflo-runtime-and-ops.md §1.3):
//   - numbers: lenient prefix parse ("10px" -> 10, "abc" -> 0), then clamped
//     to [minimum, maximum]; ints parse base 10 and truncate ("12.7" -> 12);
//   - boolean: true only for case-insensitive "true" (JSON bools/numbers as-is);
//   - enum: by nick; an unknown nick leaves the value unchanged;
//   - colour: see Color::parse (an unparsable colour is an error).
#pragma once

#include "core/error.h"
#include "runtime/color.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace imgflo::runtime {

enum class PropType { kInt, kNumber, kBoolean, kString, kColor, kEnum };

// Name used in the graph catalogue: "int", "number", "boolean", "string", "color", "enum".
std::string_view type_name(PropType t);

// int64 carries kInt and kEnum (the index into enum_values).
using Value = std::variant<int64_t, double, bool, std::string, Color>;

struct PropSpec {
  std::string name;
  PropType type = PropType::kNumber;
  std::string description;
  Value default_value = 0.0;
  std::optional<double> minimum;  // inclusive; absent = unbounded
  std::optional<double> maximum;
  std::vector<std::string> enum_values;  // nicks, kEnum only

  static PropSpec number(std::string name, std::string description, double def,
                         std::optional<double> min = std::nullopt, std::optional<double> max = std::nullopt);
  static PropSpec integer(std::string name, std::string description, int64_t def,
                          std::optional<double> min = std::nullopt, std::optional<double> max = std::nullopt);
  static PropSpec boolean(std::string name, std::string description, bool def);
  static PropSpec color(std::string name, std::string description, Color def);
  static PropSpec enumeration(std::string name, std::string description, std::vector<std::string> nicks,
                              int64_t def);
  static PropSpec string(std::string name, std::string description, std::string def);
};

// Converts a request string for `spec`. `current` is kept for unknown enum nicks.
Result<Value> convert_string(const PropSpec& spec, std::string_view text, const Value& current);
// Converts a JSON IIP value (string, number or boolean) for `spec`.
Result<Value> convert_json(const PropSpec& spec, const nlohmann::ordered_json& v, const Value& current);
// JSON form for the catalogue: colours as "#rrggbbaa", enums as their nick.
nlohmann::ordered_json value_to_json(const PropSpec& spec, const Value& v);

// The property values of one node for one run, indexed like the op's specs.
// Accessors assert the type; asking for a name the op did not declare is a bug.
class PropertyValues {
 public:
  PropertyValues() = default;
  explicit PropertyValues(const std::vector<PropSpec>* specs);

  // Index of `name`, or -1.
  int index_of(std::string_view name) const;
  const PropSpec& spec(int index) const { return (*specs_)[index]; }
  void set(int index, Value v) { values_[index] = std::move(v); }
  const Value& get(int index) const { return values_[index]; }

  double number(std::string_view name) const;
  int64_t integer(std::string_view name) const;
  bool boolean(std::string_view name) const;
  const Color& color(std::string_view name) const;
  int64_t enum_index(std::string_view name) const;
  const std::string& string(std::string_view name) const;

 private:
  const Value& at(std::string_view name) const;
  const std::vector<PropSpec>* specs_ = nullptr;
  std::vector<Value> values_;
};

}  // namespace imgflo::runtime
