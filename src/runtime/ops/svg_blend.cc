#include "runtime/ops/svg_blend.h"

namespace imgflo::runtime::ops {

namespace {

class SvgBlend final : public SpecOp {
 public:
  SvgBlend(std::string component, std::string description, bool srgb_default, BlendFunction blend)
      : SpecOp(with_alpha(streaming({std::move(component),
                std::move(description),
                {"input", "aux"},
                {PropSpec::boolean("srgb", "Use sRGB gamma instead of linear", srgb_default)}}),
                           AlphaRule::kComposite)),
        blend_(std::move(blend)) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, spec().component + " has no input");
    if (!in.aux) return *in.input;
    const PixelFormat work = p.boolean("srgb") ? fmt::kRpaGpaBpaAFloat : fmt::kRaGaBaAFloat;
    const Rect area = in.input->extent().united(in.aux->extent());
    if (auto e = ctx.check_size(area.width, area.height)) return *e;
    const Image b = place(convert(*in.input, work), area);
    const Image a = place(convert(*in.aux, work), area);
    BlendPlanes planes{colour_bands(a), alpha_band(a), colour_bands(b), alpha_band(b), {}};
    planes.aD = planes.aA + planes.aB - planes.aA * planes.aB;
    const vips::VImage colour = blend_(planes);
    return Image{join_bands(colour, planes.aD), work, area.x, area.y};
  }

 private:
  BlendFunction blend_;
};

}  // namespace

vips::VImage clamp_between(const vips::VImage& v, const vips::VImage& lo, const vips::VImage& hi) {
  const vips::VImage above = (v < lo).ifthenelse(lo, v);
  return (above > hi).ifthenelse(hi, above);
}

std::unique_ptr<Op> make_svg_blend_op(std::string component, std::string description, bool srgb_default,
                                      BlendFunction blend) {
  return std::make_unique<SvgBlend>(std::move(component), std::move(description), srgb_default, std::move(blend));
}

}  // namespace imgflo::runtime::ops
