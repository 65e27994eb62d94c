// gegl/load: declared so graphs exported from Flowhub (which carry editor
// preview loaders with hard-coded paths) compile. The server's input edge
// replaces their output, so they never run; if a graph does pull one, it is
// refused: reading files named by a graph from the server's disk is not allowed.
#include "runtime/ops/ops.h"

namespace imgflo::runtime::ops {

namespace {

class Load final : public SpecOp {
 public:
  Load()
      : SpecOp({"gegl/load",
                "Editor preview loader; never executed by the server",
                {},
                {PropSpec::string("path", "File to load (ignored)", "")}}) {}

  Result<Image> run(const OpInputs&, const PropertyValues&, const OpContext&) const override {
    return Error(ErrorKind::kGraphInvalid, "gegl/load nodes cannot run on the server; connect the graph input");
  }
};

}  // namespace

std::unique_ptr<Op> make_load() { return std::make_unique<Load>(); }

}  // namespace imgflo::runtime::ops
