#include "http/debug_info.h"

#include "http/handler.h"
#include "request/graph_request.h"
#include "request/param_value.h"

#include <type_traits>
#include <variant>

namespace imgflo::http {

namespace {

using nlohmann::json;

const request::Inport* inport_named(const request::Inports& inports, std::string_view name) {
  for (const auto& port : inports) {
    if (port.name == name) return &port;
  }
  return nullptr;
}

// A converted value as JSON: enums by nick, colours as "#rrggbbaa".
json value_json(const request::ParamRule& rule, const request::ParamValue& value) {
  return std::visit(
      [&rule](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Color>) {
          return v.to_hex();
        } else if constexpr (std::is_same_v<T, int64_t>) {
          if (rule.type != request::ParamType::kEnum) return v;
          const bool known = v >= 0 && static_cast<size_t>(v) < rule.enum_values.size();
          return known ? json(rule.enum_values[static_cast<size_t>(v)]) : json(nullptr);
        } else {
          return v;
        }
      },
      value);
}

// The type the catalogue describes for the inport `name`, or null.
json described_type(const nlohmann::ordered_json& description, const std::string& name) {
  const auto ports = description.find("inports");
  if (ports == description.end() || !ports->contains(name)) return nullptr;
  const auto& metadata = ports->at(name).value("metadata", nlohmann::ordered_json::object());
  const auto type = metadata.find("type");
  return type != metadata.end() && type->is_string() ? json(type->get<std::string>()) : json(nullptr);
}

// The parameters in request order, each converted for its inport when the graph is known
// (`entry`); the universal ones the runtime reads itself (width, fit, ...) show their catalogue type.
json params_json(const request::Params& params, const runtime::GraphEntry* entry) {
  json out = json::array();
  for (const auto& [name, text] : params) {
    json p = {{"name", name}, {"text", text}, {"type", nullptr}, {"value", nullptr}};
    const request::Inport* port = entry ? inport_named(entry->inports, name) : nullptr;
    if (!port && entry) p["type"] = described_type(entry->description, name);
    if (port) {
      p["type"] = std::string(request::type_name(port->rule.type));
      auto value = request::parse_param(port->rule, name, text);
      if (value.ok()) p["value"] = value_json(port->rule, *value);
      else p["error"] = value.error().to_json();
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

HttpResponse describe_graph_request(const runtime::Catalogue& catalogue, std::string_view graph_target,
                                    double size_limit_megapixels) {
  auto parsed = request::parse_graph_request(graph_target);
  if (!parsed.ok() && parsed.error().kind() == ErrorKind::kNotFound) return error_response(parsed.error());
  json out = json::object();
  auto fail = [&out](const Error& e) {
    out["status"] = e.status();
    out["error"] = json::parse(error_response(e).body, nullptr, /*allow_exceptions=*/false);
    return HttpResponse::json(200, out);
  };
  if (!parsed.ok()) return fail(parsed.error());
  request::GraphRequest& r = *parsed;
  out = {{"graph", r.graph},          {"graphspec", r.graphspec}, {"out_type", r.out_type},
         {"out_type_defaulted", r.out_type_defaulted}, {"cache_key", r.cache_key},
         {"input", r.input ? json(*r.input) : json(nullptr)}, {"images", json::object()},
         {"params", params_json(r.params, nullptr)}};
  if (Status st = request::check_requested_size(r, size_limit_megapixels); !st.ok()) return fail(st.error());
  auto entry = catalogue.find(r.graph);
  if (!entry.ok()) return fail(entry.error());
  r.images = request::take_image_inputs(r.params, (*entry)->executable->image_inputs());
  for (const auto& [name, ref] : r.images) out["images"][name] = ref;
  runtime::RunRequest probe;
  probe.out_type = r.out_type;
  probe.params = r.params;
  if (r.input) probe.input = std::string_view(*r.input);
  for (const auto& [name, ref] : r.images) probe.images.emplace_back(name, ref);
  const Status checked = catalogue.check(**entry, probe);
  auto typed = request::convert_params(r.params, (*entry)->inports);
  out["params"] = params_json(r.params, *entry);
  if (!checked.ok()) return fail(checked.error());
  if (!typed.ok()) return fail(typed.error());
  out["status"] = 200;
  return HttpResponse::json(200, out);
}

HttpResponse describe_job(const jobs::JobMetrics* metrics, std::string_view key) {
  auto fields = metrics ? metrics->recent().find(key) : std::nullopt;
  if (!fields) return error_response(Error(ErrorKind::kNotFound, "no job for this key ran in this process"));
  return HttpResponse::json(200, *fields);
}

}  // namespace imgflo::http
