#include "support/canvas_oracle.h"

#include "support/paths.h"

namespace imgflo::test {

const nlohmann::json& canvas_oracle() {
  static const nlohmann::json oracle =
      nlohmann::json::parse(read_file(source_dir() / "tests" / "data" / "canvas-oracle.json"));
  return oracle;
}

}  // namespace imgflo::test
