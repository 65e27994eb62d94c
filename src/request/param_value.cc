#include "request/param_value.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace imgflo::request {

namespace {

// Like g_ascii_strtod: the leading numeric prefix, locale-independent (the
// process keeps the "C" locale); nullopt without one.
std::optional<double> number_prefix(std::string_view text) {
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return std::nullopt;
  return v;
}

// Like g_ascii_strtoll base 10: the leading integer prefix (saturating); nullopt without one.
std::optional<double> integer_prefix(std::string_view text) {
  const std::string s(text);
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str()) return std::nullopt;
  return static_cast<double>(v);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<ParamValue> boolean_value(std::string_view text) {
  if (iequals(text, "true")) return ParamValue(true);
  if (iequals(text, "false")) return ParamValue(false);
  return std::nullopt;
}

std::optional<ParamValue> enum_value(const ParamRule& rule, std::string_view nick) {
  const auto it = std::find(rule.enum_values.begin(), rule.enum_values.end(), nick);
  if (it == rule.enum_values.end()) return std::nullopt;
  return ParamValue(static_cast<int64_t>(it - rule.enum_values.begin()));
}

std::optional<ParamValue> as_number(const ParamRule& rule, std::optional<double> v) {
  if (!v) return std::nullopt;
  return number_value(rule, *v);
}

std::optional<ParamValue> convert(const ParamRule& rule, std::string_view text) {
  switch (rule.type) {
    case ParamType::kNumber: return as_number(rule, number_prefix(text));
    case ParamType::kInt: return as_number(rule, integer_prefix(text));
    case ParamType::kBoolean: return boolean_value(text);
    case ParamType::kString: return ParamValue(std::string(text));
    case ParamType::kEnum: return enum_value(rule, text);
    case ParamType::kColor: {
      auto c = Color::parse(text);
      if (!c.ok()) return std::nullopt;
      return ParamValue(*c);
    }
  }
  return std::nullopt;
}

const Inport* find_inport(const Inports& inports, std::string_view name) {
  const auto it = std::find_if(inports.begin(), inports.end(), [&](const Inport& p) { return p.name == name; });
  return it == inports.end() ? nullptr : &*it;
}

}  // namespace

std::string_view type_name(ParamType t) {
  switch (t) {
    case ParamType::kInt: return "int";
    case ParamType::kNumber: return "number";
    case ParamType::kBoolean: return "boolean";
    case ParamType::kString: return "string";
    case ParamType::kColor: return "color";
    case ParamType::kEnum: return "enum";
  }
  return "string";
}

std::string allowed_values(const ParamRule& rule) {
  switch (rule.type) {
    case ParamType::kNumber: return "number";
    case ParamType::kInt: return "integer";
    case ParamType::kBoolean: return "true or false";
    case ParamType::kString: return "text";
    case ParamType::kColor: return "colour: #rgb, #rgba, #rrggbb, #rrggbbaa, rgb(r,g,b), rgba(r,g,b,a) or a CSS name";
    case ParamType::kEnum: {
      std::string list;
      for (const auto& nick : rule.enum_values) list += (list.empty() ? "" : ", ") + nick;
      return "one of: " + list;
    }
  }
  return "text";
}

ParamValue number_value(const ParamRule& rule, double v) {
  if (std::isnan(v)) v = 0.0;  // "nan" would pass every range check
  if (rule.type == ParamType::kInt) v = std::trunc(v);
  if (rule.minimum && v < *rule.minimum) v = *rule.minimum;
  if (rule.maximum && v > *rule.maximum) v = *rule.maximum;
  if (rule.type != ParamType::kInt) return v;
  constexpr double kMax = 9.2e18;  // inside int64's range
  return static_cast<int64_t>(std::clamp(v, -kMax, kMax));
}

Error invalid_value(std::string_view name, std::string_view text, const std::string& allowed) {
  return Error(ErrorKind::kInvalidArgument,
               "invalid value \"" + std::string(text) + "\" for parameter " + std::string(name) + " (" + allowed + ")",
               {{"parameter", name}, {"value", text}, {"allowed", allowed}});
}

Result<ParamValue> parse_param(const ParamRule& rule, std::string_view name, std::string_view text) {
  if (auto v = convert(rule, text)) return std::move(*v);
  return invalid_value(name, text, allowed_values(rule));
}

Result<TypedParams> convert_params(const Params& params, const Inports& inports) {
  TypedParams out;
  for (const auto& [name, text] : params) {
    const Inport* port = find_inport(inports, name);
    if (!port) continue;
    auto v = parse_param(port->rule, name, text);
    if (!v.ok()) return v.take_error();
    out.emplace_back(name, std::move(*v));
  }
  return out;
}

}  // namespace imgflo::request
