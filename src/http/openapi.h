// GET /openapi.json: the OpenAPI 3.1 document of the HTTP API, generated once
// at start-up from the graph catalogue, so it always matches GET /graphs.
//
// Paths: every route of http/handler.h and http/web_ui.h. Each graph gets its own path items
//   /graph/NAME   /graph/NAME.{ext}   /graph/{key}/{token}/NAME   /graph/{key}/{token}/NAME.{ext}
// (the .{ext} forms only when the graph names its output types) with GET,
// HEAD, POST and OPTIONS. Its query parameters are the catalogue's inports
// (the graph's own and the universal ones: input, width, height, fit, ...),
// one components.parameters entry each, whose schema carries the same type,
// minimum, maximum, values, default and description as /graphs; plus
// _nocache, _expires and debug. components.schemas has one object schema per
// graph ("NAME.parameters") and the JSON bodies: the error of core/error.h
// ({"error", "code", "type", ...details}), /graphs, /health, /ready.
// Responses list every status a route answers with their headers (Location,
// Cache-Control, Vary, Retry-After).
//
// Pure: builds JSON, no I/O; thread-safe.
#pragma once

#include "runtime/catalogue.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace imgflo::http {

// The whole document.
nlohmann::ordered_json openapi_document(const runtime::Catalogue& catalogue);

// The JSON Schema of one inport, from its catalogue metadata ({"type",
// "description", "default", "minimum", "maximum", "values"}): int -> integer,
// number -> number, boolean -> boolean, enum -> string with "enum", color and
// string -> string, buffer (an image input) -> a URL string. The catalogue's
// type is kept as "x-imgflo-type".
nlohmann::ordered_json inport_schema(const nlohmann::ordered_json& metadata);

// The components key of a graph's parameter: "NAME.PARAM", characters other
// than A-Z a-z 0-9 . - _ written as _XX (hex), as OpenAPI requires.
std::string parameter_component(std::string_view graph, std::string_view parameter);

}  // namespace imgflo::http
