#include "http/openapi.h"

#include "core/query.h"
#include "core/version.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

namespace imgflo::http {

namespace {

using ojson = nlohmann::ordered_json;

ojson ref(std::string_view section, std::string_view name) {
  return ojson{{"$ref", "#/components/" + std::string(section) + "/" + std::string(name)}};
}

// The error answers of core/error.h, by status: components.responses[name].
struct ErrorStatus {
  int status;
  const char* name;
  const char* description;
  bool retry_after;
};
constexpr ErrorStatus kErrors[] = {
    {400, "BadRequest", "Malformed request or parameter value (details: parameter, value, allowed)", false},
    {403, "Forbidden",
     "Authentication refused (missing, unknown or disabled key, wrong token, _expires in the past, _nocache without "
     "an admin key, an app that may only read cached results) or an input address the server may not fetch",
     false},
    {404, "NotFound", "Unknown graph or route; for HEAD: no stored result yet (HEAD never starts processing)", false},
    {422, "Unprocessable", "Requested size over the limit (too-large) or input bytes that are not an intact image",
     false},
    {429, "QuotaExceeded", "The app's processing quota for the last 24 h is used; cached results are still served",
     true},
    {449, "RetryWith",
     "Unknown parameter (the body carries the graph's description, as /graphs) or an output type the graph cannot "
     "write (the body lists the supported ones)",
     false},
    {500, "InternalError", "Processing failed; the body's error_id finds the details in the server's log", false},
    {503, "Unavailable", "Overloaded (queue full) or a backing service is down: retry after Retry-After seconds",
     true},
    {504, "Timeout", "The input could not be fetched, or processing did not finish within the request timeout",
     false},
};

ojson error_response(const ErrorStatus& e) {
  ojson schema = {{"allOf", {ref("schemas", "Error"), {{"properties", {{"code", {{"const", e.status}}}}}}}}};
  ojson r = {{"description", e.description}, {"content", {{"application/json", {{"schema", schema}}}}}};
  if (e.retry_after) r["headers"]["Retry-After"] = ref("headers", "Retry-After");
  return r;
}

ojson header(const char* description, ojson schema = {{"type", "string"}}) {
  return {{"description", description}, {"schema", std::move(schema)}};
}

ojson headers() {
  return {
      {"Location", header("Where the result is (absolute with IMGFLO_PUBLIC_URL, else as stored)")},
      {"Cache-Control", header("Caching of the answer (301: public, max-age=IMGFLO_REDIRECT_MAX_AGE)")},
      {"Vary", header("Accept, when the graph negotiates its output type from the Accept header")},
      {"Retry-After", header("Seconds to wait before retrying", {{"type", "integer"}, {"minimum", 0}})},
      {"ETag", header("The stored result's key, quoted")},
  };
}

ojson json_content(ojson schema) { return {{"application/json", {{"schema", std::move(schema)}}}}; }

ojson responses() {
  ojson r = {
      {"Redirect",
       {{"description", "The result is stored: its URL in Location"},
        {"headers",
         {{"Location", ref("headers", "Location")},
          {"Cache-Control", ref("headers", "Cache-Control")},
          {"Vary", ref("headers", "Vary")}}}}},
      {"Accepted",
       {{"description", "POST: processing is queued in the background; Location is where the result will be"},
        {"headers", {{"Location", ref("headers", "Location")}, {"Vary", ref("headers", "Vary")}}}}},
      {"DebugRedirect",
       {{"description", "With debug: the debug page of the same graph and query (no auth needed)"},
        {"headers", {{"Location", ref("headers", "Location")}}}}},
      {"Preflight", {{"description", "CORS preflight: Allow and, for an allowed Origin, the Access-Control-* headers"}}},
  };
  for (const auto& e : kErrors) r[e.name] = error_response(e);
  return r;
}

// The error names of the statuses, in the order given.
ojson error_refs(std::initializer_list<int> statuses, ojson into) {
  for (int status : statuses) {
    for (const auto& e : kErrors) {
      if (e.status == status) into[std::to_string(status)] = ref("responses", e.name);
    }
  }
  return into;
}

ojson error_schema() {
  return {
      {"type", "object"},
      {"description", "Every error answer: core/error.h's kinds with their status; details merged in"},
      {"required", {"error", "code", "type"}},
      {"properties",
       {{"error", {{"type", "string"}, {"description", "Message for people"}}},
        {"code", {{"type", "integer"}, {"description", "The HTTP status"}}},
        {"type",
         {{"type", "string"},
          {"description", "Stable kind name: invalid-argument, forbidden, not-found, unsupported-image-type, "
                          "unknown-parameter, too-large, undecodable-image, processing-failed, internal, "
                          "overloaded, unavailable, download-failed, timeout, quota-exceeded, ..."}}},
        {"error_id", {{"type", "string"}, {"description", "Finds the details in the server's log (500)"}}},
        {"parameter", {{"type", "string"}, {"description", "The parameter a 400 or 449 is about"}}},
        {"value", {{"type", "string"}, {"description", "The value refused (400)"}}},
        {"allowed", {{"type", "string"}, {"description", "What the parameter takes, in words (400)"}}}}},
  };
}

ojson graph_listing_schema() {
  ojson metadata = {
      {"type", "object"},
      {"required", {"type"}},
      {"properties",
       {{"type", {{"enum", {"int", "number", "boolean", "string", "color", "enum", "buffer"}}}},
        {"description", {{"type", "string"}}},
        {"minimum", {{"type", "number"}}},
        {"maximum", {{"type", "number"}}},
        {"values", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
  };
  ojson inport = {{"type", "object"}, {"required", {"metadata"}}, {"properties", {{"metadata", metadata}}}};
  ojson graph = {
      {"type", "object"},
      {"description", "The graph's FBP JSON with typed metadata on every public inport"},
      {"required", {"inports"}},
      {"properties",
       {{"properties", {{"type", "object"}}},
        {"inports", {{"type", "object"}, {"additionalProperties", inport}}},
        {"outports", {{"type", "object"}}},
        {"processes", {{"type", "object"}}},
        {"connections", {{"type", "array"}}}}},
  };
  return {{"type", "object"},
          {"required", {"graphs"}},
          {"properties", {{"graphs", {{"type", "object"}, {"additionalProperties", graph}}}}}};
}

ojson schemas() {
  return {
      {"Error", error_schema()},
      {"GraphListing", graph_listing_schema()},
      {"Health", {{"type", "object"}, {"required", {"status"}}, {"properties", {{"status", {{"const", "ok"}}}}}}},
      {"Readiness",
       {{"type", "object"},
        {"required", ojson::array({"status", "checks"})},
        {"properties",
         {{"status", {{"enum", ojson::array({"ready", "not ready"})}}},
          {"checks",
           {{"type", "object"},
            {"additionalProperties",
             {{"type", "object"},
              {"required", ojson::array({"ok", "ms"})},
              {"properties",
               {{"ok", {{"type", "boolean"}}}, {"ms", {{"type", "number"}}}, {"error", {{"type", "string"}}}}}}}}}}}}},
      {"Version", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}},
  };
}

// One operation: GET and HEAD of the fixed routes answer the same.
ojson operation(std::string id, const char* summary, ojson responses) {
  return {{"operationId", std::move(id)}, {"summary", summary}, {"responses", std::move(responses)}};
}

ojson preflight(const std::string& id) {
  return operation("options_" + id, "CORS preflight", {{"204", ref("responses", "Preflight")}});
}

// A GET|HEAD route (and its preflight).
ojson read_route(const std::string& id, const char* summary, ojson responses, ojson parameters = nullptr) {
  ojson item = {{"get", operation("get_" + id, summary, responses)},
                {"head", operation("head_" + id, summary, std::move(responses))},
                {"options", preflight(id)}};
  if (!parameters.is_null()) item["parameters"] = std::move(parameters);
  return item;
}

ojson ok_json(const char* description, ojson schema) {
  return {{"description", description}, {"content", json_content(std::move(schema))}};
}

ojson path_parameter(const char* name, const char* description, ojson schema) {
  return {{"name", name}, {"in", "path"}, {"required", true}, {"description", description}, {"schema", schema}};
}

// The web UI's routes (http/web_ui.h).
void web_ui_paths(ojson& p) {
  const ojson page = {{"200", {{"description", "The page"}, {"content", {{"text/html", ojson::object()}}}}}};
  const ojson any_json = {{"type", "object"}};
  p["/ui/{name}"] = read_route(
      "ui_file", "A static file of the web UI (web/NAME: .html .js .css .svg .png .json .ico)",
      error_refs({404}, {{"200", {{"description", "The file, with its Content-Type and ETag"}}},
                         {"304", {{"description", "Not modified (If-None-Match)"}}}}),
      ojson::array({path_parameter("name", "One path segment of A-Z a-z 0-9 . - _",
                                   {{"type", "string"}, {"pattern", "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"}})}));
  p["/ui/catalogue.json"] = read_route("ui_catalogue", "Each graph's output types and image inputs; auth_required",
                                       {{"200", ok_json("The web UI's catalogue", any_json)}});
  p["/files/"] = read_route("file_list", "The bundled examples (the files/NAME inputs)",
                            {{"200", ok_json("{\"files\": [{\"name\", \"type\", \"bytes\"}]}", any_json)}});
  const ojson rest = path_parameter(
      "path", "[KEY/TOKEN/ or /]GRAPHSPEC/ and the raw query: several path segments (OpenAPI cannot say so)",
      {{"type", "string"}});
  p["/debug/graph/{path}"] = read_route("debug_page", "The debug page of a processing request", page,
                                        ojson::array({rest}));
  p["/debug/params/graph/{path}"] = read_route(
      "debug_params", "The request as the handler reads it: typed values, the error it would get (in a 200)",
      error_refs({404}, {{"200", ok_json("The request, read", any_json)}}), ojson::array({rest}));
  p["/debug/job/{key}"] = read_route(
      "debug_job", "The phases of the last job this process ran for a cache key",
      error_refs({404}, {{"200", ok_json("The job's outcome line", any_json)}}),
      ojson::array({path_parameter("key", "The result's key", {{"type", "string"}})}));
}

ojson fixed_paths() {
  ojson bytes = {{"type", "string"}, {"contentMediaType", "application/octet-stream"}};
  ojson image = {{"description", "The bytes, with their Content-Type"},
                 {"headers", {{"Cache-Control", ref("headers", "Cache-Control")}, {"ETag", ref("headers", "ETag")}}},
                 {"content", {{"image/*", {{"schema", bytes}}}}}};
  ojson root = {{"type", "object"},
                {"properties",
                 {{"name", {{"type", "string"}}}, {"endpoints", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}};
  ojson p;
  p["/"] = read_route("root", "Browsers (Accept: text/html) get the playground page; other clients the endpoints",
                      {{"200",
                        {{"description", "The playground (text/html) or the list of endpoints"},
                         {"content", {{"application/json", {{"schema", root}}}, {"text/html", ojson::object()}}}}}});
  p["/graphs"] = read_route("graphs", "The graph catalogue: every graph with its typed parameters",
                            {{"200", ok_json("The catalogue", ref("schemas", "GraphListing"))}});
  p["/openapi.json"] = read_route("openapi", "This document", {{"200", ok_json("OpenAPI 3.1", {{"type", "object"}})}});
  p["/version"] = read_route("version", "Server and runtime versions",
                             {{"200", ok_json("Versions", ref("schemas", "Version"))}});
  p["/health"] = read_route("health", "Liveness: the process answers",
                            {{"200", ok_json("Alive", ref("schemas", "Health"))}});
  p["/ready"] = read_route("ready", "Readiness: event loop, accepting, jobs, cache index, storage, ...",
                           {{"200", ok_json("Ready", ref("schemas", "Readiness"))},
                            {"503", ok_json("Not ready (the failing checks say why)", ref("schemas", "Readiness"))}});
  p["/metrics"] = read_route(
      "metrics", "Prometheus metrics (here unless IMGFLO_METRICS_ADDR gives them a listener of their own)",
      {{"200", {{"description", "Prometheus text format 0.0.4"}, {"content", {{"text/plain", ojson::object()}}}}}});
  p["/cache/{key}"] = read_route(
      "cache", "A stored result (local storage only)",
      error_refs({404}, {{"200", image}, {"304", {{"description", "Not modified (If-None-Match)"}}}}),
      ojson::array({path_parameter("key", "The result's key: sha1 hex [. extension]", {{"type", "string"}})}));
  p["/files/{name}"] =
      read_route("files", "A bundled example image (input=files/NAME reads the same)", error_refs({404}, {{"200", image}}),
                 ojson::array({path_parameter("name", "File name", {{"type", "string"}})}));
  web_ui_paths(p);
  return p;
}

// Keys of components: A-Z a-z 0-9 . - _ (anything else as _XX).
std::string component_key(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_';
    if (ok) {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "_%02X", c);
      out += hex;
    }
  }
  return out;
}

ojson query_parameter(std::string_view name, const ojson& metadata) {
  ojson p = {{"name", name}, {"in", "query"}};
  if (metadata.contains("description")) p["description"] = metadata["description"];
  p["schema"] = inport_schema(metadata);
  return p;
}

// The parameters every graph URL takes besides the catalogue's.
ojson request_parameters() {
  return {
      {"_nocache",
       {{"name", "_nocache"},
        {"in", "query"},
        {"description", "true: process again even when a result is stored (needs an admin key when auth is on)"},
        {"schema", {{"type", "string"}, {"enum", {"true"}}}}}},
      {"_expires",
       {{"name", "_expires"},
        {"in", "query"},
        {"description", "Unix seconds after which the URL is refused (403 \"expired\"); covered by the token, not "
                        "part of the cache key"},
        {"schema", {{"type", "integer"}, {"minimum", 0}}}}},
      {"debug",
       {{"name", "debug"},
        {"in", "query"},
        {"description", "A non-empty value (or given twice): GET and HEAD answer 302 to the debug page of the same graph and query, "
                        "before authentication (POST: an unknown parameter, 449)"},
        {"schema", {{"type", "string"}}}}},
  };
}

// What one graph adds to the document.
struct GraphPaths {
  ojson parameters = ojson::object();  // components.parameters entries
  ojson schema;                        // components.schemas["NAME.parameters"]
  ojson paths = ojson::object();
};

ojson graph_operation(const std::string& method, const std::string& id, const std::string& graph,
                      const std::string& summary) {
  ojson op = {{"operationId", method + "_" + id}, {"tags", {graph}}};
  if (method == "get") {
    op["summary"] = summary;
    op["parameters"] = ojson::array({ref("parameters", "debug")});  // not {x}: compilers differ on it
    op["responses"] = error_refs({400, 403, 404, 422, 429, 449, 500, 503, 504},
                                 {{"301", ref("responses", "Redirect")}, {"302", ref("responses", "DebugRedirect")}});
  } else if (method == "head") {
    op["summary"] = "Whether " + graph + "'s result is stored (never starts processing)";
    op["parameters"] = ojson::array({ref("parameters", "debug")});  // not {x}: compilers differ on it
    op["responses"] = error_refs({400, 403, 404, 422, 449, 500, 503},
                                 {{"301", ref("responses", "Redirect")}, {"302", ref("responses", "DebugRedirect")}});
  } else if (method == "post") {
    op["summary"] = "Queue " + graph + " in the background";
    op["responses"] = error_refs({400, 403, 404, 422, 429, 449, 500, 503}, {{"202", ref("responses", "Accepted")}});
  } else {
    op["summary"] = "CORS preflight";
    op["responses"] = {{"204", ref("responses", "Preflight")}};
  }
  return op;
}

ojson graph_path_item(const std::string& id, const std::string& graph, const std::string& summary, ojson parameters) {
  ojson item = {{"parameters", std::move(parameters)}};
  for (const char* method : {"get", "head", "post", "options"}) {
    item[method] = graph_operation(method, id, graph, summary);
  }
  return item;
}

GraphPaths graph_paths(const std::string& name, const ojson& description, const runtime::GraphEntry& entry) {
  GraphPaths g;
  g.schema = {{"type", "object"}, {"properties", ojson::object()}};
  ojson query = ojson::array();
  const auto& image_inputs = entry.executable->image_inputs();
  for (const auto& [param, port] : description["inports"].items()) {
    const ojson& metadata = port.contains("metadata") ? port["metadata"] : ojson::object();
    const std::string key = parameter_component(name, param);
    ojson p = query_parameter(param, metadata);
    if (std::find(image_inputs.begin(), image_inputs.end(), param) != image_inputs.end()) p["required"] = true;
    g.schema["properties"][param] = {{"$ref", "#/components/parameters/" + key + "/schema"}};
    g.parameters[key] = std::move(p);
    query.push_back(ref("parameters", key));
  }
  for (const char* extra : {"_nocache", "_expires"}) query.push_back(ref("parameters", extra));

  std::string summary = "Process an image with " + name;
  const ojson& props = description.contains("properties") ? description["properties"] : ojson::object();
  if (props.contains("description") && props["description"].is_string()) {
    summary += ": " + props["description"].get<std::string>();
  }
  ojson ext_values = ojson::array();
  for (const auto& t : entry.executable->output_types()) {
    if (!t.empty()) ext_values.push_back(t);
  }
  const ojson key_param = path_parameter("key", "The app's key", {{"type", "string"}});
  const ojson token_param = path_parameter(
      "token", "md5_hex(graphspec + search + secret) or hex(HMAC-SHA256(secret, graphspec + search))",
      {{"type", "string"}, {"pattern", "^([0-9a-f]{32}|[0-9a-f]{64})$"}});
  const ojson ext_param = path_parameter("ext", "Output type (without it: jpg, or negotiated from Accept)",
                                         {{"type", "string"}, {"enum", ext_values}});
  const std::string path = "/graph/" + encode_uri_component(name);
  const std::string signed_path = "/graph/{key}/{token}/" + encode_uri_component(name);
  const std::string id = component_key(name);
  auto with = [&](std::vector<ojson> path_params) {
    ojson all = ojson::array();
    for (auto& p : path_params) all.push_back(std::move(p));
    for (const auto& q : query) all.push_back(q);
    return all;
  };
  g.paths[path] = graph_path_item(id, name, summary, with({}));
  g.paths[signed_path] = graph_path_item(id + "_signed", name, summary, with({key_param, token_param}));
  if (!ext_values.empty()) {
    g.paths[path + ".{ext}"] = graph_path_item(id + "_ext", name, summary, with({ext_param}));
    g.paths[signed_path + ".{ext}"] =
        graph_path_item(id + "_signed_ext", name, summary, with({key_param, token_param, ext_param}));
  }
  return g;
}

constexpr const char* kDescription =
    "Image processing by URL: GET /graph/NAME[.ext]?input=URL&parameters answers 301 to the stored result, "
    "processing it first when needed. With apps configured, URLs are signed: /graph/KEY/TOKEN/NAME[.ext]?query "
    "with TOKEN = md5_hex(graphspec + search + secret) (the original's) or hex(HMAC-SHA256(secret, graphspec + "
    "search)), where graphspec is NAME[.ext] and search the raw query with its '?' (values encoded as "
    "encodeURIComponent does; build/imgflo-url prints such URLs). Every graph's parameters below come from the "
    "same catalogue as GET /graphs.";

}  // namespace

std::string parameter_component(std::string_view graph, std::string_view parameter) {
  return component_key(graph) + "." + component_key(parameter);
}

ojson inport_schema(const ojson& metadata) {
  const std::string type = metadata.contains("type") && metadata["type"].is_string() ? metadata["type"].get<std::string>()
                                                                                        : "string";
  ojson s;
  if (type == "int") {
    s["type"] = "integer";
  } else if (type == "number") {
    s["type"] = "number";
  } else if (type == "boolean") {
    s["type"] = "boolean";
  } else if (type == "buffer") {
    s["type"] = "string";
    s["format"] = "uri-reference";
  } else {
    s["type"] = "string";
  }
  s["x-imgflo-type"] = type;
  for (const char* key : {"description", "default", "minimum", "maximum"}) {
    if (metadata.contains(key)) s[key] = metadata[key];
  }
  if (metadata.contains("values")) s["enum"] = metadata["values"];
  return s;
}

ojson openapi_document(const runtime::Catalogue& catalogue) {
  ojson doc = {
      {"openapi", "3.1.0"},
      {"info", {{"title", "imgflo-server"}, {"version", IMGFLO_VERSION}, {"description", kDescription}}},
  };
  ojson paths = fixed_paths();
  ojson parameters = request_parameters();
  ojson graph_schemas = ojson::object();
  const ojson& graphs = catalogue.listing()["graphs"];
  for (const auto& name : catalogue.names()) {
    auto entry = catalogue.find(name);
    if (!entry.ok() || !graphs.contains(name)) continue;
    GraphPaths g = graph_paths(name, graphs[name], **entry);
    for (auto& [k, v] : g.parameters.items()) parameters[k] = std::move(v);
    for (auto& [k, v] : g.paths.items()) paths[k] = std::move(v);
    graph_schemas[component_key(name) + ".parameters"] = std::move(g.schema);
  }
  ojson all_schemas = schemas();
  for (auto& [k, v] : graph_schemas.items()) all_schemas[k] = std::move(v);
  doc["paths"] = std::move(paths);
  doc["components"] = {{"schemas", std::move(all_schemas)},
                       {"parameters", std::move(parameters)},
                       {"responses", responses()},
                       {"headers", headers()}};
  return doc;
}

}  // namespace imgflo::http
