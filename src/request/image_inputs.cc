#include "request/image_inputs.h"

#include <algorithm>

namespace imgflo::request {

ImageRefs take_image_inputs(Params& params, const std::vector<std::string>& names) {
  ImageRefs refs;
  for (const auto& name : names) {
    auto last = std::find_if(params.rbegin(), params.rend(), [&](const auto& p) { return p.first == name; });
    if (last != params.rend()) refs.emplace_back(name, last->second);
  }
  std::erase_if(params, [&](const auto& p) { return std::find(names.begin(), names.end(), p.first) != names.end(); });
  return refs;
}

Error image_input_error(const Error& e, const std::string& name) {
  if (name == "input") return e;
  nlohmann::json details = e.details().is_object() ? e.details() : nlohmann::json::object();
  details["image_input"] = name;
  return Error(e.kind(), name + ": " + e.message(), std::move(details));
}

}  // namespace imgflo::request
