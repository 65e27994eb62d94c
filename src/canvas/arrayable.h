// noflo-helper-arrayable: how noflo-canvas's Make* components (and Fill)
// turn their inport values into one drawing object or an array of them.
//
// The object is {"type": TYPE, port: value, ...}. When any value is an array,
// the result is an array as long as the longest one, whose element i takes
// element (i mod length) of each array and the plain values as they are
// (e.g. 87 paths and 10 colours give 87 fills, colours repeating).
// The result is null when a required value is missing or an array is empty;
// optional ports without a value are left out.
#pragma once

#include "canvas/component.h"

#include <string>
#include <vector>

namespace imgflo::canvas {

struct ArrayableProp {
  std::string port;
  bool required = true;
};

Value expand_arrayable(const std::string& type, const Ports& in, const std::vector<ArrayableProp>& props);

}  // namespace imgflo::canvas
