// Processing URLs as clients build them (the original's imgflo-url, the
// playground, build/imgflo-url): the inverse of request/graph_request.h.
//
//   SERVER/graph/NAME[.ext]?a=1&b=2                   without credentials
//   SERVER/graph/KEY/TOKEN/NAME[.ext]?a=1&b=2         signed (request/auth.h)
//
// The query holds the parameters sorted by name (stable: repeated names keep
// their order), as the original's client did, each name and value encoded by
// encodeURIComponent (core/query.h), so a URL's token is the same whichever
// client built it. The token covers the query as the server reads it:
// node_escape (request/graph_request.h) of it, which differs from the
// printed query only for ' (kept by encodeURIComponent, escaped by Node's
// url.parse; the original's client signed the unescaped text, so its URLs
// with ' in a value were refused). Pure; thread-safe.
#pragma once

#include "request/params.h"

#include <optional>
#include <string>
#include <string_view>

namespace imgflo::request {

struct Credentials {
  std::string key;
  std::string secret;
  bool hmac = false;  // HMAC-SHA256 token instead of the original's md5
};

// "?a=1&b=x%20y" (sorted, encoded); "" without parameters.
std::string client_search(const Params& params);

// The URL of `graphspec` ("gradientmap.png") with `params` on `server`
// ("http://host:port", a trailing '/' is dropped; "" gives a path). With
// credentials: the signed form, TOKEN computed over graphspec + search.
std::string graph_url(std::string_view server, const std::string& graphspec, const Params& params,
                      const std::optional<Credentials>& credentials);

}  // namespace imgflo::request
