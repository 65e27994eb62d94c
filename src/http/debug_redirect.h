// The original's `&debug=1`: a GET (or HEAD, which Express answered like GET)
// of a processing URL with a `debug` parameter is redirected to the debug page
// for the same graph and query, before authentication and before anything
// else is checked (spec §1.2 step 2):
//
//   302 Location: /debug/graph/<apikey>/<token>/<graphspec>/<search>   (signed URL)
//   302 Location: /debug/graph//<graphspec>/<search>                  (unsigned: the original's double slash)
//
// <search> is the request's raw query with its "?" (Node-escaped, as the
// cache key reads it), `debug` included. `debug` counts when its value is
// not empty (`debug=0` counts, `debug=` does not) or when it is given more
// than once (Node's querystring made that an array, which is truthy). A POST
// keeps `debug` as an ordinary parameter (unknown to every graph: 449), as
// the original did. A target the request parser refuses is not redirected:
// the handler answers its error as usual.
//
// Pure functions; thread-safe.
#pragma once

#include "http/message.h"
#include "request/graph_request.h"

#include <optional>
#include <string>

namespace imgflo::http {

// Whether `params` ask for the debug page (the rule above).
bool wants_debug(const request::Params& params);

// The debug page's path (and query) for a parsed request, as above.
std::string debug_location(const request::GraphRequest& request);

// The 302 for a GET|HEAD /graph/... request asking for the debug page, or
// nullopt for every other request.
std::optional<HttpResponse> debug_redirect(const HttpRequest& request);

}  // namespace imgflo::http
