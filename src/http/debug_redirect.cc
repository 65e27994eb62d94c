#include "http/debug_redirect.h"

#include "core/query.h"

namespace imgflo::http {

bool wants_debug(const request::Params& params) {
  int given = 0;
  bool non_empty = false;
  for (const auto& [name, value] : params) {
    if (name != "debug") continue;
    ++given;
    non_empty = non_empty || !value.empty();
  }
  return given > 1 || non_empty;
}

std::string debug_location(const request::GraphRequest& r) {
  const std::string auth = r.token ? r.apikey.value_or("") + "/" + *r.token + "/" : "/";
  return "/debug/graph/" + auth + r.graphspec + "/" + r.search;
}

std::optional<HttpResponse> debug_redirect(const HttpRequest& req) {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  const size_t query = req.target.find('?');
  if (!req.target.starts_with("/graph/") || query == std::string::npos) return std::nullopt;
  // The names alone first (decoded as the parser decodes them): most requests stop here.
  if (!wants_debug(parse_query(std::string_view(req.target).substr(query + 1)))) return std::nullopt;
  auto parsed = request::parse_graph_request(req.target);
  if (!parsed.ok() || !wants_debug(parsed->params)) return std::nullopt;
  const std::string location = debug_location(*parsed);
  HttpResponse r = HttpResponse::redirect(302, location);
  r.body = "Found. Redirecting to " + location;
  r.header("Content-Type", "text/plain; charset=utf-8");
  return r;
}

}  // namespace imgflo::http
