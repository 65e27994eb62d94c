// Request parameters as they arrive: decoded query names and values, in query
// order, duplicates kept (a later one wins where a value is applied), without
// "input" and "_nocache". Typed conversion against a graph's inports is in
// request/param_value.h.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace imgflo::request {

using Params = std::vector<std::pair<std::string, std::string>>;

}  // namespace imgflo::request
