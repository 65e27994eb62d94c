// gegl/nop: passes its input through unchanged.
#include "runtime/ops/ops.h"

namespace imgflo::runtime::ops {

namespace {

class Nop final : public SpecOp {
 public:
  Nop() : SpecOp(alpha_free(streaming({"gegl/nop", "Passes the image through unchanged", {"input"}, {}}))) {}

  Result<Image> run(const OpInputs& in, const PropertyValues&, const OpContext&) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/nop has no input");
    return *in.input;
  }
};

}  // namespace

std::unique_ptr<Op> make_nop() { return std::make_unique<Nop>(); }

}  // namespace imgflo::runtime::ops
