// Typed op properties: specs, values, and the conversion rules of the
// original runtime.
//
// Every op declares its properties as PropSpecs (type, description, default,
// range, enum nicks). Values reach a property either as JSON IIPs in the graph
// file or as strings from the request; strings are converted by the request
// library's parse_param (request/param_value.h: one set of rules for the
// request check at the edge and for the run), JSON numbers and booleans here.
#pragma once

#include "core/color.h"
#include "core/error.h"
#include "request/param_value.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::runtime {

// The request library's types under the runtime's names.
using PropType = request::ParamType;
using Value = request::ParamValue;
using request::type_name;

// A property: what it accepts (the ParamRule part: type, range, nicks) plus
// what the catalogue shows.
struct PropSpec : request::ParamRule {
  std::string name;
  std::string description;
  Value default_value = 0.0;

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

// Converts a text value for `spec` (request::parse_param: kInvalidArgument
// naming the property, the value and what is allowed).
Result<Value> convert_string(const PropSpec& spec, std::string_view text);
// Converts a JSON IIP value (string, number or boolean) for `spec`: strings
// as convert_string; numbers clamped; a number out of an enum's range leaves
// `current` unchanged (GEGL).
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
