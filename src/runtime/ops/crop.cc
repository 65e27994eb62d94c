// gegl/crop: the rectangle (x, y, width, height) of the input, in GEGL
// coordinates (the result keeps that origin). Values are truncated to
// integers; parts outside the input are transparent black (black without
// alpha: the format is unchanged). GEGL 0.3.10 defaults: 0, 0, 10, 10.
#include "runtime/ops/ops.h"

#include <cmath>

namespace imgflo::runtime::ops {

namespace {

class Crop final : public SpecOp {
 public:
  Crop()
      : SpecOp(streaming({"gegl/crop",
                "Crops the image to a rectangle",
                {"input"},
                {PropSpec::number("x", "X", 0.0), PropSpec::number("y", "Y", 0.0),
                 PropSpec::number("width", "Width", 10.0), PropSpec::number("height", "Height", 10.0)}})) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/crop has no input");
    const double x = std::trunc(p.number("x")), y = std::trunc(p.number("y"));
    const double w = std::trunc(p.number("width")), h = std::trunc(p.number("height"));
    if (auto e = ctx.check_size(static_cast<int64_t>(w), static_cast<int64_t>(h))) return *e;
    if (std::abs(x) > VIPS_MAX_COORD || std::abs(y) > VIPS_MAX_COORD) {
      return Error(ErrorKind::kInvalidArgument, "crop position out of range");
    }
    return place(*in.input, Rect{static_cast<int>(x), static_cast<int>(y), static_cast<int>(w), static_cast<int>(h)});
  }
};

}  // namespace

std::unique_ptr<Op> make_crop() { return std::make_unique<Crop>(); }

}  // namespace imgflo::runtime::ops
