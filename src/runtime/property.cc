#include "runtime/property.h"
#include "core/json.h"

#include <cassert>

namespace imgflo::runtime {

namespace {

PropSpec make(PropType type, std::string name, std::string description, Value def, std::optional<double> min = {},
              std::optional<double> max = {}, std::vector<std::string> nicks = {}) {
  PropSpec spec;
  spec.type = type;
  spec.minimum = min;
  spec.maximum = max;
  spec.enum_values = std::move(nicks);
  spec.name = std::move(name);
  spec.description = std::move(description);
  spec.default_value = std::move(def);
  return spec;
}

}  // namespace

PropSpec PropSpec::number(std::string name, std::string description, double def, std::optional<double> min,
                          std::optional<double> max) {
  return make(PropType::kNumber, std::move(name), std::move(description), def, min, max);
}
PropSpec PropSpec::integer(std::string name, std::string description, int64_t def, std::optional<double> min,
                           std::optional<double> max) {
  return make(PropType::kInt, std::move(name), std::move(description), def, min, max);
}
PropSpec PropSpec::boolean(std::string name, std::string description, bool def) {
  return make(PropType::kBoolean, std::move(name), std::move(description), def);
}
PropSpec PropSpec::color(std::string name, std::string description, Color def) {
  return make(PropType::kColor, std::move(name), std::move(description), def);
}
PropSpec PropSpec::enumeration(std::string name, std::string description, std::vector<std::string> nicks,
                               int64_t def) {
  return make(PropType::kEnum, std::move(name), std::move(description), def, {}, {}, std::move(nicks));
}
PropSpec PropSpec::string(std::string name, std::string description, std::string def) {
  return make(PropType::kString, std::move(name), std::move(description), std::move(def));
}

Result<Value> convert_string(const PropSpec& spec, std::string_view text) {
  return request::parse_param(spec, spec.name, text);
}

Result<Value> convert_json(const PropSpec& spec, const nlohmann::ordered_json& v, const Value& current) {
  if (v.is_string()) return convert_string(spec, v.get<std::string>());
  const bool numeric = v.is_number() || v.is_boolean();
  if (!numeric) return Error(ErrorKind::kGraphInvalid, "unsupported IIP value for " + spec.name);
  const double d = v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
  switch (spec.type) {
    case PropType::kNumber:
    case PropType::kInt: return request::number_value(spec, d);
    case PropType::kBoolean: return Value(d != 0.0);
    case PropType::kEnum: {
      // Range-checked as a double first: casting 1e300 to int64 is undefined.
      if (!(d >= 0 && d < static_cast<double>(spec.enum_values.size()))) return current;
      return Value(static_cast<int64_t>(d));
    }
    case PropType::kString: return Value(dump_json(v));
    case PropType::kColor: break;
  }
  return Error(ErrorKind::kGraphInvalid, "a number cannot set colour property " + spec.name);
}

nlohmann::ordered_json value_to_json(const PropSpec& spec, const Value& v) {
  switch (spec.type) {
    case PropType::kNumber: return std::get<double>(v);
    case PropType::kInt: return std::get<int64_t>(v);
    case PropType::kBoolean: return std::get<bool>(v);
    case PropType::kString: return std::get<std::string>(v);
    case PropType::kColor: return std::get<Color>(v).to_hex();
    case PropType::kEnum: {
      const auto i = std::get<int64_t>(v);
      return (i >= 0 && i < static_cast<int64_t>(spec.enum_values.size())) ? spec.enum_values[i] : "";
    }
  }
  return nullptr;
}

PropertyValues::PropertyValues(const std::vector<PropSpec>* specs) : specs_(specs) {
  values_.reserve(specs->size());
  for (const auto& s : *specs) values_.push_back(s.default_value);
}

int PropertyValues::index_of(std::string_view name) const {
  if (!specs_) return -1;
  for (size_t i = 0; i < specs_->size(); ++i) {
    if ((*specs_)[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

const Value& PropertyValues::at(std::string_view name) const {
  const int i = index_of(name);
  assert(i >= 0 && "op asked for a property it did not declare");
  return values_[static_cast<size_t>(i)];
}

double PropertyValues::number(std::string_view name) const {
  const Value& v = at(name);
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  return std::get<double>(v);
}
int64_t PropertyValues::integer(std::string_view name) const { return std::get<int64_t>(at(name)); }
bool PropertyValues::boolean(std::string_view name) const { return std::get<bool>(at(name)); }
const Color& PropertyValues::color(std::string_view name) const { return std::get<Color>(at(name)); }
int64_t PropertyValues::enum_index(std::string_view name) const { return std::get<int64_t>(at(name)); }
const std::string& PropertyValues::string(std::string_view name) const { return std::get<std::string>(at(name)); }

}  // namespace imgflo::runtime
