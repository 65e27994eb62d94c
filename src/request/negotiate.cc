#include "request/negotiate.h"

#include <algorithm>
#include <array>

namespace imgflo::request {

namespace {

// The types IMGFLO_AUTO_FORMAT may name: formats a browser announces in Accept.
constexpr std::array<std::string_view, 3> kNegotiable = {"avif", "webp", "jxl"};
constexpr size_t kMaxCandidates = 7;  // with the fallback, the size of the weight table

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// RFC 9110 tchar, as a table (the parser's inner loop).
constexpr std::array<bool, 256> kTchar = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  }
  return t;
}();

bool is_tchar(char c) { return kTchar[static_cast<unsigned char>(c)]; }

bool is_ows(char c) { return c == ' ' || c == '\t'; }

// Reads one element of the header (between top-level commas) by RFC 9110's grammar:
//   type "/" subtype *( OWS ";" OWS token "=" ( token / quoted-string ) ) OWS
class Element {
 public:
  explicit Element(std::string_view s) : s_(s) {}

  // The media range and its weight (thousandths); false when the element is malformed.
  bool read(std::string_view& media_range, int& weight) {
    skip_ows();
    const size_t start = pos_;
    if (token().empty() || !take('/') || token().empty()) return false;
    media_range = s_.substr(start, pos_ - start);
    weight = 1000;
    for (skip_ows(); take(';'); skip_ows()) {
      skip_ows();
      const std::string_view name = token();
      if (name.empty() || !take('=')) return false;
      const std::string_view value = at('"') ? quoted() : token();
      if (value.empty()) return false;
      if (iequal(name, "q") && !qvalue(value, weight)) return false;
    }
    return pos_ == s_.size();
  }

 private:
  bool at(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool take(char c) { return at(c) ? (++pos_, true) : false; }
  void skip_ows() {
    while (pos_ < s_.size() && is_ows(s_[pos_])) ++pos_;
  }
  std::string_view token() {
    const size_t start = pos_;
    while (pos_ < s_.size() && is_tchar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // A quoted-string with its quotes; empty when unterminated.
  std::string_view quoted() {
    const size_t start = pos_++;
    while (pos_ < s_.size() && s_[pos_] != '"') pos_ += s_[pos_] == '\\' ? 2 : 1;
    if (pos_ >= s_.size()) return {};
    return s_.substr(start, ++pos_ - start);
  }
  // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
  static bool qvalue(std::string_view v, int& weight) {
    if (v.size() > 5 || (v[0] != '0' && v[0] != '1') || (v.size() > 1 && v[1] != '.')) return false;
    int thousandths = (v[0] - '0') * 1000;
    for (size_t i = 2, scale = 100; i < v.size(); ++i, scale /= 10) {
      if (v[i] < '0' || v[i] > '9') return false;
      thousandths += (v[i] - '0') * static_cast<int>(scale);
    }
    if (thousandths > 1000) return false;
    weight = thousandths;
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// The end of the element starting at `from`: the next comma outside a quoted string.
size_t element_end(std::string_view s, size_t from) {
  bool quoted = false;
  for (size_t i = from; i < s.size(); ++i) {
    if (quoted && s[i] == '\\') ++i;
    else if (s[i] == '"') quoted = !quoted;
    else if (!quoted && s[i] == ',') return i;
  }
  return s.size();
}

// Calls fn(media_range, weight) for each well-formed element, in order.
template <typename Fn>
void for_each_media_range(std::string_view accept, Fn fn) {
  for (size_t start = 0; start <= accept.size();) {
    const size_t end = element_end(accept, start);
    std::string_view range;
    int weight = 0;
    if (Element(accept.substr(start, end - start)).read(range, weight)) fn(range, weight);
    start = end + 1;
  }
}

// True when `media_range` is the media type of output type `type` ("jpg" is image/jpeg).
bool names_type(std::string_view media_range, std::string_view type) {
  const std::string_view subtype = type == "jpg" ? "jpeg" : type;
  return media_range.size() == 6 + subtype.size() && iequal(media_range.substr(0, 6), "image/") &&
         iequal(media_range.substr(6), subtype);
}

}  // namespace

Result<std::vector<std::string>> parse_auto_formats(std::string_view setting) {
  std::vector<std::string> out;
  if (setting.find_first_not_of(" \t") == std::string_view::npos) return out;
  for (size_t start = 0; start <= setting.size();) {
    const size_t end = std::min(setting.find(',', start), setting.size());
    std::string_view name = setting.substr(start, end - start);
    name.remove_prefix(std::min(name.find_first_not_of(" \t"), name.size()));
    name.remove_suffix(name.size() - std::min(name.find_last_not_of(" \t") + 1, name.size()));
    const std::string n(name);
    if (std::find(kNegotiable.begin(), kNegotiable.end(), name) == kNegotiable.end()) {
      return Error(ErrorKind::kInvalidArgument, "\"" + n + "\" is not one of avif, webp, jxl");
    }
    if (std::find(out.begin(), out.end(), n) != out.end()) {
      return Error(ErrorKind::kInvalidArgument, "\"" + n + "\" is named twice");
    }
    out.push_back(n);
    start = end + 1;
  }
  return out;
}

Negotiation negotiation_for(const std::vector<std::string>& auto_formats, const std::vector<std::string>& graph_types,
                            bool alpha) {
  Negotiation n;
  n.alpha = alpha;
  for (const auto& t : auto_formats) {
    if (std::find(graph_types.begin(), graph_types.end(), t) != graph_types.end()) n.candidates.push_back(t);
  }
  return n;
}

int accept_weight(std::string_view accept, std::string_view media_type) {
  int found = -1;
  if (accept.size() > kMaxAcceptLength) return found;
  for_each_media_range(accept, [&](std::string_view range, int weight) {
    if (found < 0 && iequal(range, media_type)) found = weight;
  });
  return found;
}

std::string_view negotiate(std::string_view accept, const Negotiation& policy) {
  if (!policy.varies() || accept.empty() || accept.size() > kMaxAcceptLength) return kDefaultOutputType;
  const size_t n = std::min(policy.candidates.size(), kMaxCandidates);
  const std::string_view fallback = policy.alpha ? "png" : kDefaultOutputType;
  std::array<int, kMaxCandidates + 1> weights;  // candidates, then the fallback; -1 = not named
  weights.fill(-1);
  for_each_media_range(accept, [&](std::string_view range, int weight) {
    for (size_t i = 0; i <= n; ++i) {
      const std::string_view type = i < n ? std::string_view(policy.candidates[i]) : fallback;
      if (weights[i] < 0 && names_type(range, type)) weights[i] = weight;
    }
  });
  if (std::all_of(weights.begin(), weights.begin() + static_cast<std::ptrdiff_t>(n), [](int w) { return w < 0; })) {
    return kDefaultOutputType;  // no candidate named: not negotiated
  }
  size_t best = n;  // none accepted yet
  for (size_t i = 0; i < n; ++i) {
    if (weights[i] > 0 && (best == n || weights[i] > weights[best])) best = i;
  }
  if (best == n || weights[n] > weights[best]) return fallback;
  return policy.candidates[best];
}

void negotiate_output_type(GraphRequest& r, std::string_view accept, const Negotiation& policy) {
  if (!r.out_type_defaulted || !policy.varies()) return;
  r.varies_with_accept = true;
  const std::string_view type = negotiate(accept, policy);
  if (r.out_type == type) return;
  r.out_type = std::string(type);
  r.cache_key = cache_key(r.graph, r.search, r.out_type);
}

}  // namespace imgflo::request
