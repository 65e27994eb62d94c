// The last path component of a processing URL ("crop.png") and what it means.
#pragma once

#include <string>
#include <string_view>

namespace imgflo::request {

struct GraphSpec {
  std::string name;       // "crop"
  std::string extension;  // normalised output type: "png", "jpg", or "" (noop only)
  bool defaulted = false;  // no extension was given and "jpg" is the default (request/negotiate.h may change it)
};

// Splits at the last '.': the name is what precedes it, the extension what
// follows. No extension means "jpg" except for the noop graph (keep the
// input's bytes); "jpeg" becomes "jpg"; nothing else is normalised (".JPG"
// stays "JPG" and is later refused), as the original did.
GraphSpec parse_graph_spec(std::string_view spec);

}  // namespace imgflo::request
