// gegl/opacity: multiplies alpha by `value` (and by the aux image's Y when
// connected), in premultiplied "RaGaBaA float" (so all four channels are
// scaled). Exactly 1.0 without aux passes the input through untouched, format
// included, as GEGL does.
#include "runtime/ops/ops.h"

namespace imgflo::runtime::ops {

namespace {

class Opacity final : public SpecOp {
 public:
  Opacity()
      : SpecOp(with_alpha(streaming({"gegl/opacity",
                "Weights the opacity of the input by `value` and the aux image",
                {"input", "aux"},
                {PropSpec::number("value", "Global opacity value that is always used on top of the optional "
                                           "auxiliary input buffer.",
                                  1.0, -10.0, 10.0)}}),
                           AlphaRule::kAdds)) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext&) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/opacity has no input");
    const double value = p.number("value");
    if (value == 1.0 && !in.aux) return *in.input;
    Image src = convert(*in.input, fmt::kRaGaBaAFloat);
    vips::VImage factor = src.pixels.extract_band(0).new_from_image(value);
    if (in.aux) {
      const Image mask = place(convert(*in.aux, fmt::kYFloat), src.extent());
      factor = mask.pixels * value;
    }
    src.pixels = src.pixels * factor;
    return src;
  }
};

}  // namespace

std::unique_ptr<Op> make_opacity() { return std::make_unique<Opacity>(); }

}  // namespace imgflo::runtime::ops
