#include "core/json.h"

#include "core/text.h"

namespace imgflo {

namespace {

template <typename Json>
std::string dump_replacing(const Json& j, int indent) {
  try {
    return j.dump(indent, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
  } catch (const std::exception&) {
    // Only allocation failure is left; answer something that parses.
    return "null";
  }
}

}  // namespace

nlohmann::json valid_utf8_json(nlohmann::json j) {
  if (j.is_string()) return valid_utf8(j.get_ref<const std::string&>());
  if (j.is_array()) {
    for (auto& e : j) e = valid_utf8_json(std::move(e));
    return j;
  }
  if (!j.is_object()) return j;
  nlohmann::json out = nlohmann::json::object();
  for (auto& [k, v] : j.items()) out[valid_utf8(k)] = valid_utf8_json(v);
  return out;
}

std::string dump_json(const nlohmann::json& j, int indent) { return dump_replacing(j, indent); }
std::string dump_json(const nlohmann::ordered_json& j, int indent) { return dump_replacing(j, indent); }

}  // namespace imgflo
