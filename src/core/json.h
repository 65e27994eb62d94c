// JSON serialisation that never throws.
//
// nlohmann's dump() throws type_error.316 on a string that is not valid
// UTF-8; any byte of a request, input or broker message may end up in a JSON
// string, so every dump in this code base goes through dump_json(), which
// replaces invalid sequences with U+FFFD instead.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace imgflo {

// Serialises `j` (compact when indent < 0). Never throws: invalid UTF-8 in
// strings becomes U+FFFD.
std::string dump_json(const nlohmann::json& j, int indent = -1);
std::string dump_json(const nlohmann::ordered_json& j, int indent = -1);

// A copy of `j` whose strings (keys and values) are valid UTF-8 (see
// valid_utf8 in core/text.h).
nlohmann::json valid_utf8_json(nlohmann::json j);

}  // namespace imgflo
