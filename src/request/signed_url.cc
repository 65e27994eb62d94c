#include "request/signed_url.h"

#include "core/query.h"
#include "request/auth.h"
#include "request/graph_request.h"

#include <algorithm>

namespace imgflo::request {

std::string client_search(const Params& params) {
  Params sorted = params;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string search;
  for (const auto& [name, value] : sorted) {
    search += search.empty() ? "?" : "&";
    search += encode_uri_component(name) + "=" + encode_uri_component(value);
  }
  return search;
}

std::string graph_url(std::string_view server, const std::string& graphspec, const Params& params,
                      const std::optional<Credentials>& credentials) {
  while (server.ends_with('/')) server.remove_suffix(1);
  const std::string search = client_search(params);
  std::string url = std::string(server) + "/graph/";
  if (credentials) {
    // The server signs the query as Node's url.parse leaves it: encodeURIComponent keeps ', which it escapes.
    const std::string signed_search = node_escape(search);
    const std::string token = credentials->hmac
                                  ? Authenticator::hmac_token(graphspec, signed_search, credentials->secret)
                                  : Authenticator::md5_token(graphspec, signed_search, credentials->secret);
    url += credentials->key + "/" + token + "/";
  }
  return url + graphspec + search;
}

}  // namespace imgflo::request
