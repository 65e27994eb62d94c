#include "runtime/property.h"
#include "core/json.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace imgflo::runtime {

std::string_view type_name(PropType t) {
  switch (t) {
    case PropType::kInt: return "int";
    case PropType::kNumber: return "number";
    case PropType::kBoolean: return "boolean";
    case PropType::kString: return "string";
    case PropType::kColor: return "color";
    case PropType::kEnum: return "enum";
  }
  return "string";
}

PropSpec PropSpec::number(std::string name, std::string description, double def, std::optional<double> min,
                          std::optional<double> max) {
  return PropSpec{std::move(name), PropType::kNumber, std::move(description), def, min, max, {}};
}
PropSpec PropSpec::integer(std::string name, std::string description, int64_t def, std::optional<double> min,
                           std::optional<double> max) {
  return PropSpec{std::move(name), PropType::kInt, std::move(description), def, min, max, {}};
}
PropSpec PropSpec::boolean(std::string name, std::string description, bool def) {
  return PropSpec{std::move(name), PropType::kBoolean, std::move(description), def, {}, {}, {}};
}
PropSpec PropSpec::color(std::string name, std::string description, Color def) {
  return PropSpec{std::move(name), PropType::kColor, std::move(description), def, {}, {}, {}};
}
PropSpec PropSpec::enumeration(std::string name, std::string description, std::vector<std::string> nicks,
                               int64_t def) {
  return PropSpec{std::move(name), PropType::kEnum, std::move(description), def, {}, {}, std::move(nicks)};
}
PropSpec PropSpec::string(std::string name, std::string description, std::string def) {
  return PropSpec{std::move(name), PropType::kString, std::move(description), std::move(def), {}, {}, {}};
}

namespace {

double clamp_to(const PropSpec& spec, double v) {
  if (std::isnan(v)) v = 0.0;
  if (spec.minimum && v < *spec.minimum) v = *spec.minimum;
  if (spec.maximum && v > *spec.maximum) v = *spec.maximum;
  return v;
}

// Like g_ascii_strtod: a leading numeric prefix, locale-independent; garbage -> 0.
double lenient_double(std::string_view text) {
  std::string s(text);
  // strtod honours LC_NUMERIC; the process keeps the "C" locale (never calls setlocale).
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || std::isnan(v)) return 0.0;  // "nan" would pass every range check
  return v;
}

// Like g_ascii_strtoll base 10: a leading integer prefix; garbage -> 0; saturates.
int64_t lenient_int(std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str()) return 0;
  return static_cast<int64_t>(v);
}

Value number_value(const PropSpec& spec, double v) {
  if (spec.type == PropType::kInt) {
    v = clamp_to(spec, std::trunc(v));
    constexpr double kMax = 9.2e18;
    return static_cast<int64_t>(std::clamp(v, -kMax, kMax));
  }
  return clamp_to(spec, v);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

Value enum_value(const PropSpec& spec, std::string_view nick, const Value& current) {
  for (size_t i = 0; i < spec.enum_values.size(); ++i) {
    if (spec.enum_values[i] == nick) return static_cast<int64_t>(i);
  }
  return current;  // GEGL: unknown nick -> warning, value unchanged
}

}  // namespace

Result<Value> convert_string(const PropSpec& spec, std::string_view text, const Value& current) {
  switch (spec.type) {
    case PropType::kNumber: return number_value(spec, lenient_double(text));
    case PropType::kInt: return number_value(spec, static_cast<double>(lenient_int(text)));
    case PropType::kBoolean: return Value(iequals(text, "true"));
    case PropType::kString: return Value(std::string(text));
    case PropType::kEnum: return enum_value(spec, text, current);
    case PropType::kColor: {
      auto c = Color::parse(text);
      if (!c.ok()) {
        return Error(ErrorKind::kInvalidArgument, "invalid colour \"" + std::string(text) + "\" for " + spec.name);
      }
      return Value(*c);
    }
  }
  return current;
}

Result<Value> convert_json(const PropSpec& spec, const nlohmann::ordered_json& v, const Value& current) {
  if (v.is_string()) return convert_string(spec, v.get<std::string>(), current);
  const bool numeric = v.is_number() || v.is_boolean();
  if (!numeric) return Error(ErrorKind::kGraphInvalid, "unsupported IIP value for " + spec.name);
  const double d = v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
  switch (spec.type) {
    case PropType::kNumber:
    case PropType::kInt: return number_value(spec, d);
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
