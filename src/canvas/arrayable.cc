#include "canvas/arrayable.h"

#include <algorithm>

namespace imgflo::canvas {

Value expand_arrayable(const std::string& type, const Ports& in, const std::vector<ArrayableProp>& props) {
  size_t length = 0;
  std::vector<std::pair<std::string, const Value*>> given;
  for (const auto& p : props) {
    const Value& v = in[p.port];
    if (v.is_null()) {
      if (p.required) return Value();
      continue;
    }
    if (v.is_array()) {
      if (v.empty()) return Value();
      length = std::max(length, v.size());
    }
    given.emplace_back(p.port, &v);
  }
  auto element = [&](size_t i) {
    Value obj = Value::object();
    obj["type"] = type;
    for (const auto& [port, v] : given) obj[port] = v->is_array() ? (*v)[i % v->size()] : *v;
    return obj;
  };
  if (length == 0) return element(0);
  Value out = Value::array();
  for (size_t i = 0; i < length; ++i) out.push_back(element(i));
  return out;
}

}  // namespace imgflo::canvas
