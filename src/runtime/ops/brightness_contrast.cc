// gegl/brightness-contrast: changes the light level and contrast
// (GEGL 0.3.10 gegl:brightness-contrast, a point filter).
//
// Working format: linear, un-premultiplied "RGBA float" (the result keeps
// it, so an opaque input gains an alpha band of 1). Per colour channel
//   c' = (c - 0.5) * contrast + brightness + 0.5
// with no clamping; alpha is copied. Contrast scales around 50 % grey (in
// linear light), brightness is an offset applied after it.
//
// Properties (GEGL 0.3.10): contrast (-5..5, default 1), brightness (-3..3,
// default 0).
#include "runtime/ops/ops.h"

namespace imgflo::runtime::ops {

namespace {

class BrightnessContrast final : public SpecOp {
 public:
  BrightnessContrast()
      : SpecOp(streaming({"gegl/brightness-contrast",
                "Changes the light level and contrast. This operation operates in linear light, 'contrast' is a "
                "scale factor around 50% gray, and 'brightness' a constant offset to apply after contrast scaling.",
                {"input"},
                {PropSpec::number("contrast", "Magnitude of contrast scaling >1.0 brighten < 1.0 darken", 1.0, -5.0,
                                  5.0),
                 PropSpec::number("brightness", "Amount to increase brightness", 0.0, -3.0, 3.0)}})) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext&) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/brightness-contrast has no input");
    const double contrast = p.number("contrast");
    const double offset = p.number("brightness") + 0.5 - 0.5 * contrast;
    Image img = convert(*in.input, fmt::kRGBAFloat);
    img.pixels = img.pixels.linear({contrast, contrast, contrast, 1.0}, {offset, offset, offset, 0.0});
    return img;
  }
};

}  // namespace

std::unique_ptr<Op> make_brightness_contrast() { return std::make_unique<BrightnessContrast>(); }

}  // namespace imgflo::runtime::ops
