#include "runtime/ops/grey_common.h"

namespace imgflo::runtime::ops {

namespace {

class Grey final : public SpecOp {
 public:
  Grey(std::string component, std::string description)
      : SpecOp(streaming({std::move(component), std::move(description), {"input"}, {}})) {}

  Result<Image> run(const OpInputs& in, const PropertyValues&, const OpContext&) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, spec().component + " has no input");
    return convert(*in.input, fmt::kYAFloat);
  }
};

}  // namespace

std::unique_ptr<Op> make_grey_op(std::string component, std::string description) {
  return std::make_unique<Grey>(std::move(component), std::move(description));
}

}  // namespace imgflo::runtime::ops
