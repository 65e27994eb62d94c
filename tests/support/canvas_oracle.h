// tests/data/canvas-oracle.json: values recorded from the npm packages the
// original canvas graphs ran on (seedrandom 2.3.11, delaunay-fast, node's
// MD5); see its _comment for how it was generated.
#pragma once

#include <nlohmann/json.hpp>

namespace imgflo::test {

const nlohmann::json& canvas_oracle();

}  // namespace imgflo::test
