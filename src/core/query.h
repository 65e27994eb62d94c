// URL query strings: percent-decoding and splitting, as Node's querystring
// module did for the original ("+" is a space, pairs in order, repeated keys
// kept, malformed escapes left as they are).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imgflo {

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

// "%2F" -> "/", "+" -> " " (when plus_is_space); invalid escapes are kept verbatim.
std::string percent_decode(std::string_view s, bool plus_is_space = true);

// Strict form: every '%' must start a valid escape (nullopt otherwise); '+' stays '+'.
std::optional<std::string> percent_decode_strict(std::string_view s);

// Splits "a=1&b=%20x" (no leading '?') into decoded pairs, in order. A key
// without '=' gets an empty value; empty segments are skipped.
QueryPairs parse_query(std::string_view query);

// Encodes everything except unreserved characters (A-Z a-z 0-9 - _ . ~).
std::string percent_encode(std::string_view s);

// JavaScript's encodeURIComponent of the text `s` (UTF-8): every byte except
// A-Z a-z 0-9 - _ . ! ~ * ' ( ) as %XX (upper-case hex). JavaScript strings
// cannot hold ill-formed UTF-8: ill-formed bytes are first replaced by U+FFFD
// as Node reads such bytes in its arguments (the WHATWG decoder: one per
// maximal subpart), so the result always equals Node's for the same argument.
// The original's clients encoded query values this way (tokens cover it).
std::string encode_uri_component(std::string_view s);

}  // namespace imgflo
