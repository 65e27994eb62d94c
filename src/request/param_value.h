// Typed parameter values: the one conversion of a text value (a request
// parameter, or a string IIP in a graph file) to an inport's type.
//
// The rules follow the original runtime (imgflo-runtime-and-ops.md §1.3) where
// a value is understood, and refuse what it silently turned into 0 or a
// default:
//   - number: the leading numeric prefix, locale-independent, like
//     g_ascii_strtod ("10px" -> 10, "1e3" -> 1000; "nan" reads as 0), clamped
//     to [minimum, maximum]; no numeric prefix at all ("abc", "") is refused;
//   - int: the leading base-10 integer prefix ("12.7" -> 12), clamped;
//     no prefix is refused;
//   - boolean: "true" or "false", any case; anything else is refused;
//   - enum: one of the nicks, exactly; anything else is refused;
//   - color: Color::parse (core/color.h); unparsable is refused;
//   - string: taken as it is.
// A refusal is kInvalidArgument (400) with details {"parameter", "value",
// "allowed"}, "allowed" saying in words what the inport takes.
//
// Pure functions; thread-safe.
#pragma once

#include "core/color.h"
#include "core/error.h"
#include "request/params.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace imgflo::request {

enum class ParamType { kInt, kNumber, kBoolean, kString, kColor, kEnum };

// Name used in the graph catalogue: "int", "number", "boolean", "string", "color", "enum".
std::string_view type_name(ParamType t);

// int64 carries kInt and kEnum (the index into enum_values).
using ParamValue = std::variant<int64_t, double, bool, std::string, Color>;

// What an inport accepts.
struct ParamRule {
  ParamType type = ParamType::kNumber;
  std::optional<double> minimum;  // inclusive; absent = unbounded
  std::optional<double> maximum;
  std::vector<std::string> enum_values;  // nicks, kEnum only
};

// What `rule` accepts, in words, for error details: "number", "integer",
// "true or false", "one of: a, b", "colour (...)", "text".
std::string allowed_values(const ParamRule& rule);

// The 400 for a value `name` cannot take: kInvalidArgument, details
// {"parameter": name, "value": text, "allowed": allowed}.
Error invalid_value(std::string_view name, std::string_view text, const std::string& allowed);

// Converts `text` for the inport `name` (the name only labels the error).
Result<ParamValue> parse_param(const ParamRule& rule, std::string_view name, std::string_view text);

// A number as `rule` stores it: NaN reads as 0, then clamped to [minimum,
// maximum]; kInt truncates toward zero (and saturates) into an int64.
ParamValue number_value(const ParamRule& rule, double v);

// A graph's typed inports, as the catalogue knows them.
struct Inport {
  std::string name;
  ParamRule rule;
};
using Inports = std::vector<Inport>;
using TypedParams = std::vector<std::pair<std::string, ParamValue>>;

// Converts every parameter that names one of `inports`, in order; the first
// value that does not convert is the error. Names `inports` does not list are
// skipped: whether the graph takes them is the runtime's check (449).
Result<TypedParams> convert_params(const Params& params, const Inports& inports);

}  // namespace imgflo::request
