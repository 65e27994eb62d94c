#include "canvas/component.h"

#include "canvas/text.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace imgflo::canvas {

const Value& Ports::operator[](std::string_view port) const {
  static const Value kNull;
  const auto it = values_.find(port);
  return it == values_.end() ? kNull : it->second;
}

const PortSpec* ComponentSpec::inport(std::string_view port) const {
  for (const auto& p : inports) {
    if (p.name == port) return &p;
  }
  return nullptr;
}

const ComponentSpec* find_component(std::string_view name) {
  static const std::vector<ComponentSpec> all = [] {
    std::vector<ComponentSpec> v;
    for (auto list : {data_components(), geometry_components(), canvas_components()}) {
      for (auto& c : list) v.push_back(std::move(c));
    }
    return v;
  }();
  for (const auto& c : all) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::optional<double> to_number(const Value& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  const char* p = s.c_str();
  while (std::isspace(static_cast<unsigned char>(*p))) ++p;
  if (*p == '\0') return 0.0;  // Number("") === 0
  char* end = nullptr;
  const double d = std::strtod(p, &end);
  while (std::isspace(static_cast<unsigned char>(*end))) ++end;
  if (end == p || *end != '\0' || std::isnan(d)) return std::nullopt;
  return d;
}

std::optional<std::string> to_string(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return js_number_string(v.get<double>());
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  return std::nullopt;
}

}  // namespace imgflo::canvas
