// gegl/opacity: multiplies alpha by `value` (and by the aux image's Y when
// connected), in premultiplied "RaGaBaA float" (so all four channels are
// scaled). Exactly 1.0 without aux passes the input through untouched, format
// included, as GEGL does.
#include "runtime/ops/ops.h"
#include "runtime/point_kernel.h"

namespace imgflo::runtime::ops {

namespace {

// Premultiplied RGBA times `value` (times the mask's Y x value, rounded to
// float first as libvips' linear does, when there is a mask). One pass.
void scale_row(const float* rgba, const float* mask, float value, float* out, int width) {
  for (int x = 0; x < width; ++x, rgba += 4, out += 4) {
    const float factor = mask ? value * mask[x] + 0.0f : value;
    for (int k = 0; k < 4; ++k) out[k] = rgba[k] * factor;
  }
}

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
    const auto v = static_cast<float>(value);
    if (!in.aux) {
      src.pixels = point_map({src.pixels}, 4, VIPS_FORMAT_FLOAT, [v](const void* const* i, void* out, int width) {
        scale_row(static_cast<const float*>(i[0]), nullptr, v, static_cast<float*>(out), width);
      });
      return src;
    }
    const Image mask = place(convert(*in.aux, fmt::kYFloat), src.extent());
    src.pixels =
        point_map({src.pixels, mask.pixels}, 4, VIPS_FORMAT_FLOAT, [v](const void* const* i, void* out, int width) {
          scale_row(static_cast<const float*>(i[0]), static_cast<const float*>(i[1]), v, static_cast<float*>(out),
                    width);
        });
    return src;
  }
};

}  // namespace

std::unique_ptr<Op> make_opacity() { return std::make_unique<Opacity>(); }

}  // namespace imgflo::runtime::ops
