// Output type negotiation for requests WITHOUT an extension (the original's
// default, JPEG): the client's Accept header may turn "/graph/crop?..." into
// a WebP or AVIF result (IMGFLO_AUTO_FORMAT, default "avif,webp").
//
// The rule (negotiate()):
//   - Only media types the header names EXPLICITLY count: "image/*" and "*/*"
//     never ask for AVIF/WebP, so curl (no Accept, or "*/*") and the
//     original's clients keep getting JPEG with the same cache key.
//   - A request negotiates when the header names one of the graph's
//     candidates (IMGFLO_AUTO_FORMAT's types the graph can write), whatever
//     its q. The candidate with the highest q > 0 wins, ties in the
//     setting's order. q=0 refuses a type.
//   - The fallback is JPEG, or PNG for a graph whose result may carry alpha
//     (Negotiation::alpha): it wins when every named candidate is refused, or
//     when the header names the fallback's own type with a strictly higher q
//     than the best candidate ("image/jpeg, image/webp;q=0.5" -> jpg).
//   - Hostile input: a header longer than kMaxAcceptLength is treated as
//     absent; an element with bad syntax (no type/subtype token, a malformed
//     parameter or q value) is skipped; the first element naming a type
//     counts, later duplicates are ignored. Linear in the header's length,
//     no allocation.
//
// Pure functions; thread-safe.
#pragma once

#include "core/error.h"
#include "request/graph_request.h"

#include <string>
#include <string_view>
#include <vector>

namespace imgflo::request {

// Longest Accept header read; longer ones are treated as absent.
inline constexpr size_t kMaxAcceptLength = 4096;

// The output type of a request without extension when nothing is negotiated.
inline constexpr std::string_view kDefaultOutputType = "jpg";

// What one graph may negotiate to.
struct Negotiation {
  std::vector<std::string> candidates;  // output types in preference order ("avif", "webp")
  bool alpha = false;                   // the result may carry alpha: fall back to "png", never "jpg"

  // True when the Accept header can change the answer (so responses must carry Vary: Accept).
  bool varies() const { return !candidates.empty(); }
};

// IMGFLO_AUTO_FORMAT: a comma-separated list of distinct types from avif,
// webp, jxl (spaces around names allowed); "" = negotiation off.
// kInvalidArgument naming the problem otherwise.
Result<std::vector<std::string>> parse_auto_formats(std::string_view setting);

// A graph's Negotiation: the setting's types that `graph_types` (the graph's
// output types) contains, in the setting's order.
Negotiation negotiation_for(const std::vector<std::string>& auto_formats, const std::vector<std::string>& graph_types,
                            bool alpha);

// The weight the header gives `media_type` ("image/webp", compared without
// case) by naming it explicitly, in thousandths (q=0.5 -> 500, no q -> 1000),
// or -1 when no well-formed element names it.
int accept_weight(std::string_view accept, std::string_view media_type);

// The output type for a request without extension from a client sending
// `accept` ("" when absent): kDefaultOutputType, a candidate or "png" (see
// the rule above). The view refers to `policy` or static storage.
std::string_view negotiate(std::string_view accept, const Negotiation& policy);

// For a request without extension (r.out_type_defaulted; others are left
// alone) whose graph's policy varies: sets r.varies_with_accept, and the
// negotiated output type with the cache key that goes with it, the key of the
// same URL with the extension ".type" (so "/graph/crop?..." negotiated to WebP
// shares the stored result of "/graph/crop.webp?..."). Without a negotiated
// type the key stays the original's.
void negotiate_output_type(GraphRequest& r, std::string_view accept, const Negotiation& policy);

}  // namespace imgflo::request
