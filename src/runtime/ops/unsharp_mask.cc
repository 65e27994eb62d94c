// gegl/unsharp-mask: GEGL 0.4.42's meta-op, the input plus `scale` times its
// difference from a Gaussian-blurred copy:
//
//   d   = input - gaussian-blur(input, std-dev)          (gegl:subtract)
//   out = input + scale * d                               (gegl:multiply, gegl:add)
//
// With threshold > 0.0001 the difference is masked where it is small:
//   mask = gaussian-blur(threshold(Y'(2 |d|) >= threshold), std-dev 1)
//   out  = input + scale * d * mask
// (gegl:absolute, gegl:multiply 2, gegl:threshold in "Y'A float", an
// antialiasing gaussian-blur of 1 px; the mask's Y multiplies every colour
// channel).
//
// The math ops work in the linear, float, non-premultiplied variant of the
// input's format ("RGB float", "RGBA float", "Y float", "YA float"), which the
// result keeps; values are not clamped (the encoder clamps). Alpha is the
// input's. The blur is gegl/gaussian-blur with its defaults (auto filter,
// clamp abyss, clipped extent), so the extent is the input's.
// Defaults: std-dev 3 (0..1500), scale 0.5 (0..300), threshold 0 (0..1).
#include "runtime/ops/ops.h"

#include <cmath>

namespace imgflo::runtime::ops {

namespace {

// The linear float variant GEGL's math ops compute in.
PixelFormat linear_float(const PixelFormat& f) {
  return PixelFormat{f.model, Trc::kLinear, false, Depth::kFloat};
}

constexpr PixelFormat kYpAFloat{Model::kYA, Trc::kPerceptual, false, Depth::kFloat};
constexpr double kThresholdOff = 0.0001;  // GEGL rewires the graph above this
constexpr double kMaskBlur = 1.0;         // std-dev of the mask's antialiasing blur

class UnsharpMask final : public SpecOp {
 public:
  UnsharpMask()
      : SpecOp({"gegl/unsharp-mask",
                "Sharpen image, by adding difference to blurred image, a technique for sharpening originally "
                "used in darkrooms.",
                {"input"},
                {PropSpec::number("std-dev", "Expressed as standard deviation, in pixels", 3.0, 0.0, 1500.0),
                 PropSpec::number("scale", "Scaling factor for unsharp-mask, the strength of effect", 0.5, 0.0,
                                  300.0),
                 PropSpec::number("threshold", "Differences whose doubled luminance is below this are left alone",
                                  0.0, 0.0, 1.0)}}),
        blur_(make_gaussian_blur()) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/unsharp-mask has no input");
    const PixelFormat work = linear_float(in.input->format);
    const Image src = convert(*in.input, work);
    auto blurred = blur(src, p.number("std-dev"), ctx);
    if (!blurred.ok()) return blurred;
    vips::VImage diff = colour_bands(src) - colour_bands(convert(*blurred, work));
    if (p.number("threshold") > kThresholdOff) {
      auto mask = threshold_mask(diff, src, p.number("threshold"), ctx);
      if (!mask.ok()) return mask.take_error();
      diff = diff * *mask;
    }
    const vips::VImage colour = colour_bands(src) + diff * p.number("scale");
    const vips::VImage pixels = work.has_alpha() ? join_bands(colour, alpha_band(src)) : colour;
    return Image{pixels, work, src.x, src.y};
  }

 private:
  Result<Image> blur(const Image& src, double std_dev, const OpContext& ctx) const {
    PropertyValues values(&blur_->spec().properties);
    values.set(values.index_of("std-dev-x"), Value(std_dev));
    values.set(values.index_of("std-dev-y"), Value(std_dev));
    OpInputs in;
    in.input = &src;
    return blur_->run(in, values, ctx);
  }

  // The antialiased mask of where Y'(2 |d|) reaches `threshold`, as one band
  // (GEGL converts the Y mask to the working format: every colour channel Y).
  Result<vips::VImage> threshold_mask(const vips::VImage& diff, const Image& src, double threshold,
                                      const OpContext& ctx) const {
    const vips::VImage doubled = diff.abs() * 2.0;
    const Image magnitude{src.format.has_alpha() ? join_bands(doubled, alpha_band(src)) : doubled, src.format,
                          src.x, src.y};
    const Image luma = convert(magnitude, kYpAFloat);
    const vips::VImage on = (colour_bands(luma) >= threshold).ifthenelse(1.0, 0.0).cast(VIPS_FORMAT_FLOAT);
    const Image stepped{join_bands(on, alpha_band(luma)), kYpAFloat, src.x, src.y};
    auto smooth = blur(stepped, kMaskBlur, ctx);
    if (!smooth.ok()) return smooth.take_error();
    return colour_bands(convert(*smooth, fmt::kYFloat));
  }

  std::unique_ptr<Op> blur_;
};

}  // namespace

std::unique_ptr<Op> make_unsharp_mask() { return std::make_unique<UnsharpMask>(); }

}  // namespace imgflo::runtime::ops
