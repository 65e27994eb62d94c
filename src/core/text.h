// Small text and graph helpers shared by parsers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo {

// ASCII lower case.
std::string ascii_lower(std::string_view s);
// ASCII lower case without leading/trailing whitespace.
std::string lower_trimmed(std::string_view s);

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code
// points above U+10FFFF).
bool is_valid_utf8(std::string_view s);
// Byte offset of the first ill-formed UTF-8 sequence, or npos when valid.
size_t first_invalid_utf8(std::string_view s);
// `s` with every ill-formed UTF-8 sequence replaced by U+FFFD (one per
// broken sequence); valid text is returned unchanged.
std::string valid_utf8(std::string_view s);

// JavaScript's Number(string), as the original coerced query values: trimmed;
// "" -> 0; otherwise the whole string must be a number (decimal, exponent,
// 0x hex, Infinity), else NaN.
double js_number(std::string_view s);

// The largest requested side (width/height) kept as a number; larger values
// are clamped to it (and then refused by the pixel limits).
constexpr int kMaxRequestedSide = 1'000'000'000;

// A `width`/`height` query value read once, the same way by the 422 rule and
// by the rescale: js_number, truncated to whole pixels. Blank, zero, negative
// and sub-pixel values leave the side free (the rescale ignores them, so the
// size rule must too: no bypass); a value that is not a number is kNotANumber.
struct RequestedSide {
  enum Kind { kFree, kNotANumber, kPixels } kind = kFree;
  int pixels = 0;  // with kPixels: 1 .. kMaxRequestedSide
};
RequestedSide read_requested_side(std::string_view text);

// True when the directed graph of `count` nodes, with edges from each node to
// the nodes `sources(n)` lists (negative entries ignored), has no cycle.
bool acyclic(size_t count, const std::function<std::vector<int>(int)>& sources);

}  // namespace imgflo
