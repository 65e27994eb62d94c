#include "request/graph_request.h"

#include "core/digest.h"
#include "core/query.h"
#include "core/text.h"
#include "request/graph_spec.h"
#include "request/param_value.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

namespace imgflo::request {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

constexpr std::string_view kExpires = "_expires";

// The name of a raw "name=value" query segment, decoded as parse_query does.
std::string segment_name(std::string_view segment) { return percent_decode(segment.substr(0, segment.find('='))); }

// Unix seconds: 1 to 12 decimal digits (up to year 33658), nothing else.
Result<int64_t> parse_expires(const std::string& text) {
  const bool digits = !text.empty() && text.size() <= 12 &&
                      text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) {
    return Error(ErrorKind::kInvalidArgument, "_expires must be a Unix time in seconds",
                 {{"parameter", std::string(kExpires)}, {"value", text}});
  }
  return std::stoll(text);
}

}  // namespace

std::string search_without_expires(std::string_view search) {
  const std::string_view query = search.empty() ? search : search.substr(1);
  std::string kept;
  bool removed = false, first = true;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view segment = query.substr(start, end - start);
    if (segment_name(segment) == kExpires) {
      removed = true;
    } else {
      if (!first) kept += '&';
      kept.append(segment);
      first = false;
    }
    start = end + 1;
  }
  if (!removed) return std::string(search);
  return kept.empty() ? std::string() : "?" + kept;
}

std::string node_escape(std::string_view raw) {
  static const std::string_view kEscaped = "'{}|\\^`<>\" \r\n\t";
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(raw.size());
  for (unsigned char c : raw) {
    if (kEscaped.find(static_cast<char>(c)) != std::string_view::npos) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string cache_key(std::string_view graph, std::string_view search, std::string_view out_type) {
  // Appended piecewise: GCC 12 warns (stringop-overflow, a false positive) on "literal" + string here.
  std::string path = "/graph/";
  path.append(graph).append(search);
  std::string key = sha1_hex(path);
  if (!out_type.empty()) key.append(".").append(out_type);
  return key;
}

Result<GraphRequest> parse_graph_request(std::string_view target) {
  if (target.empty() || target[0] != '/') return Error(ErrorKind::kInvalidArgument, "malformed request target");
  const std::string escaped = node_escape(target);
  std::string_view t = escaped;
  const size_t hash = t.find('#');
  if (hash != std::string_view::npos) t = t.substr(0, hash);
  const size_t q = t.find('?');
  const std::string_view path = t.substr(0, q);
  const std::string_view search = q == std::string_view::npos ? std::string_view() : t.substr(q);

  const auto parts = split_path(path);
  if (parts.empty() || parts[0] != "graph" || (parts.size() != 2 && parts.size() != 4)) {
    return Error(ErrorKind::kNotFound, "no such route");
  }
  GraphRequest r;
  if (parts.size() == 4) {
    r.apikey = std::string(parts[1]);
    r.token = std::string(parts[2]);
  }
  r.graphspec = std::string(parts.back());  // raw, as the original hashed and signed it
  if (r.graphspec.empty()) return Error(ErrorKind::kNotFound, "no graph named in the path");
  const request::GraphSpec spec = request::parse_graph_spec(r.graphspec);
  r.graph = spec.name;
  r.out_type = spec.extension;
  r.out_type_defaulted = spec.defaulted;
  r.search = std::string(search);
  for (auto& [k, v] : parse_query(search.empty() ? search : search.substr(1))) {
    // Decoded names and values travel in JSON (job messages, errors): text only.
    if (!is_valid_utf8(k) || !is_valid_utf8(v)) {
      return Error(ErrorKind::kInvalidArgument, "query parameter is not valid UTF-8", {{"parameter", k}});
    }
    if (k == "input") {
      r.input = std::move(v);
    } else if (k == "_nocache") {
      r.nocache = v == "true";
    } else if (k == kExpires) {
      if (r.expires) return Error(ErrorKind::kInvalidArgument, "_expires given twice", {{"parameter", k}});
      auto expires = parse_expires(v);
      if (!expires.ok()) return expires.take_error();
      r.expires = *expires;
    } else {
      r.params.emplace_back(std::move(k), std::move(v));
    }
  }
  r.cache_key = cache_key(r.graph, r.expires ? search_without_expires(r.search) : r.search, r.out_type);
  return r;
}

namespace {

// A dpr as the rescale takes it (a number from 1 to 4); 1 for anything else,
// which the runtime refuses with a 400 before any work.
double requested_dpr(std::string_view text) {
  auto v = parse_param({ParamType::kNumber}, "dpr", text);
  if (!v.ok()) return 1.0;
  const double dpr = std::get<double>(*v);
  return dpr >= 1.0 && dpr <= 4.0 ? dpr : 1.0;
}

}  // namespace

Status check_requested_size(const GraphRequest& r, double megapixels) {
  const double limit = megapixels * 1e6;
  const double dim = std::sqrt(limit) - 1;
  std::optional<std::pair<std::string, std::string>> width, height;  // last occurrence wins
  double dpr = 1.0;
  for (const auto& p : r.params) {
    if (p.first == "width") width = p;
    if (p.first == "height") height = p;
    if (p.first == "dpr") dpr = requested_dpr(p.second);
  }
  // A side the rescale leaves free (absent, blank, <= 0, below one pixel)
  // counts as `dim`, as a missing one did in the original; its rule let
  // "width=1000000&height=0" through (0 x anything < limit).
  std::optional<Error> not_a_number;
  auto side = [&](const std::optional<std::pair<std::string, std::string>>& param) {
    if (!param) return dim;
    const RequestedSide s = read_requested_side(param->second);
    if (s.kind == RequestedSide::kNotANumber && !not_a_number) {
      not_a_number = invalid_value(param->first, param->second, "number");
    }
    return s.kind == RequestedSide::kPixels ? s.pixels * dpr : dim;
  };
  const double size = side(width) * side(height);
  if (not_a_number) return *not_a_number;
  if (size < limit) return ok_status();
  return Error(ErrorKind::kTooLarge, "requested image size is over the limit of " + std::to_string(megapixels) +
                                         " megapixels",
               {{"limit_megapixels", megapixels}});
}

}  // namespace imgflo::request
