// JavaScript string semantics on UTF-8 text: the NoFlo components worked on
// UTF-16 code units (String.prototype.substr, charCodeAt).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::canvas {

// UTF-16 code units of a UTF-8 string (each invalid byte becomes U+FFFD).
std::vector<uint16_t> utf16_units(std::string_view utf8);
// UTF-8 for UTF-16 code units (an unpaired surrogate becomes U+FFFD).
std::string utf8_from_units(const std::vector<uint16_t>& units);

// JavaScript's s.substr(start, length) in code units: a negative start counts
// from the end; a missing or negative length means "to the end" / nothing.
std::string js_substr(std::string_view utf8, double start, const double* length);

// JavaScript's String(number) for the values we meet: shortest round-trip
// form, integers without a decimal point.
std::string js_number_string(double v);

}  // namespace imgflo::canvas
