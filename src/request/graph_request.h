// A processing URL taken apart, once, at the edge (pure; no I/O).
//
//   /graph/NAME[.ext]?query            unauthenticated form
//   /graph/KEY/TOKEN/NAME[.ext]?query  authenticated form
//
// Everything clients can observe follows the original: the graph spec is the
// last path component, the output type its extension (default jpg, jpeg ->
// jpg), and the cache key is sha1("/graph/" + name + raw "?query") + "." +
// ext, where the raw query is what Node's legacy url.parse left in `search`
// (the request bytes with a few characters such as ' and space escaped).
//
// `_expires=UNIX_SECONDS` (request/auth.h refuses the URL from that second
// on) is part of `search`, hence covered by the token, but neither a graph
// parameter nor part of the cache key: for a URL with it the key is computed
// over `search` without the `_expires` pair, so every expiring URL of one
// image shares one result (and a URL without it keeps the original's key).
#pragma once

#include "core/error.h"
#include "request/image_inputs.h"
#include "request/params.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace imgflo::request {

struct GraphRequest {
  std::string graph;       // "crop"
  std::string graphspec;   // "crop.jpg", as sent (used in the token)
  std::string out_type;    // normalised: "jpg", "png", "" (noop), or whatever was asked ("svg")
  bool out_type_defaulted = false;  // no extension: out_type is the default "jpg" (negotiable, request/negotiate.h)
  bool varies_with_accept = false;  // out_type was chosen from the Accept header (request/negotiate.h)
  std::optional<std::string> apikey;
  std::optional<std::string> token;
  std::string search;      // raw "?a=1&b=2" (Node-escaped), or "" without a query
  request::Params params;  // decoded, in order, without "input" and "_nocache"
  std::optional<std::string> input;
  // Named image inputs besides "input"; empty until take_image_inputs()
  // moves them out of `params` (request/image_inputs.h: the graph says which).
  request::ImageRefs images;
  bool nocache = false;    // _nocache=true
  std::optional<int64_t> expires;  // _expires=UNIX_SECONDS
  std::string cache_key;   // "<sha1>.<ext>" or "<sha1>" for noop without extension
};

// Parses a request target (path + query). kNotFound when the path is not one
// of the two processing forms; kInvalidArgument for a malformed target, a
// query name or value that is not valid UTF-8 once decoded, or an `_expires`
// that is not one decimal number of Unix seconds (or is given twice).
Result<GraphRequest> parse_graph_request(std::string_view target);

// The original's cache key for a graph name and raw search string.
std::string cache_key(std::string_view graph, std::string_view search, std::string_view out_type);

// `search` ("?a=1&_expires=2&b=3") without its `_expires` pairs ("?a=1&b=3";
// "" when nothing is left); `search` itself when it has none.
std::string search_without_expires(std::string_view search);

// Node's legacy url.parse auto-escaping of ' { } | \ ^ ` < > " space CR LF TAB.
std::string node_escape(std::string_view raw);

// The original's 422 rule: with limit = megapixels * 1e6 and dim = sqrt(limit) - 1,
// (width or dim) * (height or dim) must be < limit, reading each side with
// read_requested_side (core/text.h): a free side (absent, blank, <= 0) counts
// as dim. (The original let negative and zero sides through, which with a
// kept aspect ratio bypassed the limit.) kTooLarge (422) over the limit;
// kInvalidArgument (400, details {"parameter", "value", "allowed"}) for a side
// that is not a number. A `dpr` from 1 to 4 multiplies the given sides (other
// dpr values are the runtime's 400).
Status check_requested_size(const GraphRequest& r, double megapixels);

}  // namespace imgflo::request
