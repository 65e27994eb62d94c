#include "runtime/ops/svg_blend.h"

#include "runtime/point_kernel.h"

namespace imgflo::runtime::ops {

namespace {

void blend_row(BlendChannel blend, const float* a, const float* b, float* out, int width) {
  for (int x = 0; x < width; ++x, a += 4, b += 4, out += 4) {
    const float aA = a[3], aB = b[3];
    const float aD = (aA + aB) - aA * aB;
    for (int k = 0; k < 3; ++k) out[k] = blend(a[k], aA, b[k], aB, aD);
    out[3] = aD;
  }
}

class SvgBlend final : public SpecOp {
 public:
  SvgBlend(std::string component, std::string description, bool srgb_default, BlendChannel blend)
      : SpecOp(with_alpha(streaming({std::move(component),
                std::move(description),
                {"input", "aux"},
                {PropSpec::boolean("srgb", "Use sRGB gamma instead of linear", srgb_default)}}),
                           AlphaRule::kComposite)),
        blend_(blend) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, spec().component + " has no input");
    if (!in.aux) return *in.input;
    const PixelFormat work = p.boolean("srgb") ? fmt::kRpaGpaBpaAFloat : fmt::kRaGaBaAFloat;
    const Rect area = in.input->extent().united(in.aux->extent());
    if (auto e = ctx.check_size(area.width, area.height)) return *e;
    const Image b = place(convert(*in.input, work), area);
    const Image a = place(convert(*in.aux, work), area);
    return Image{blend_images(a.pixels, b.pixels, blend_), work, area.x, area.y};
  }

 private:
  BlendChannel blend_;
};

}  // namespace

vips::VImage blend_images(const vips::VImage& a, const vips::VImage& b, BlendChannel blend) {
  return point_map({a, b}, 4, VIPS_FORMAT_FLOAT, [blend](const void* const* in, void* out, int width) {
    blend_row(blend, static_cast<const float*>(in[0]), static_cast<const float*>(in[1]), static_cast<float*>(out),
              width);
  });
}

std::unique_ptr<Op> make_svg_blend_op(std::string component, std::string description, bool srgb_default,
                                      BlendChannel blend) {
  return std::make_unique<SvgBlend>(std::move(component), std::move(description), srgb_default, blend);
}

}  // namespace imgflo::runtime::ops
