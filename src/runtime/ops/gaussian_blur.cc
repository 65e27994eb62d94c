// gegl/gaussian-blur: GEGL 0.3.10's meta-op, a horizontal 1-D Gaussian
// (gblur-1d, std-dev-x) followed by a vertical one (std-dev-y).
//
// Working format, which the result keeps: "RGB float" for RGB input, "Y float"
// for Y, "YaA float" for Y+alpha and "RaGaBaA float" for RGBA: linear light,
// premultiplied when there is alpha.
// Filter per axis (iir_gaussian.h): `fir` / `iir` as asked; `auto` = FIR
// below sigma 1 (ceil(6.5 sigma) taps, rounded up to odd; sigma 0 copies),
// Young-van Vliet IIR with Triggs-Sdika boundaries from sigma 1 on.
// abyss-policy: what lies past the edges (clamp = the edge pixel repeated,
// black, white, none = transparent / 0); see blur_planes.h for how FIR and
// IIR apply it.
// Memory: with clip-extent and an IIR vertical pass the blur streams in
// strips of rows (blur_stream.h); otherwise both passes hold the whole float
// image.
// Extent: unchanged with clip-extent (the default). Without it, each axis
// grows by len / 2 pixels on both sides, len being that axis' FIR length
// (GEGL uses it for the IIR too).
// Defaults (0.3.10): std-dev-x = std-dev-y = 1.5 (0..1500), filter auto,
// abyss-policy clamp, clip-extent true.
#include "runtime/ops/blur_planes.h"
#include "runtime/ops/blur_stream.h"
#include "runtime/ops/ops.h"

namespace imgflo::runtime::ops {

namespace {

PixelFormat working_format(const PixelFormat& f) {
  switch (f.model) {
    case Model::kRGB: return fmt::kRGBFloat;
    case Model::kY: return fmt::kYFloat;
    case Model::kYA: return fmt::kYaAFloat;
    case Model::kRGBA: break;
  }
  return fmt::kRaGaBaAFloat;
}

struct BlurPlan {
  blur::Axis x, y;
  blur::Edges edges;
};

// The horizontal pass, reading the input's rows as it goes (no full copy of
// the converted input), into a new image already sized for the final extent.
Result<FloatImage> horizontal_pass(const Image& src, const BlurPlan& plan, const OpContext& ctx) {
  const int gx = plan.x.growth(), gy = plan.y.growth();
  auto out = new_float_image(src.width() + 2 * gx, src.height() + 2 * gy, src.format.bands(), gy > 0);
  if (!out.ok()) return out;
  if (auto e = blur::blur_rows(region_rows(src.pixels), src.width(), src.height(), out->plane, gy, plan.x,
                               plan.edges, ctx.stop())) {
    return *e;
  }
  return out;
}

class GaussianBlur final : public SpecOp {
 public:
  GaussianBlur()
      : SpecOp({"gegl/gaussian-blur",
                "Performs an averaging of neighboring pixels with the normal distribution as weighting",
                {"input"},
                {PropSpec::number("std-dev-x", "Standard deviation for the horizontal axis", 1.5, 0.0, 1500.0),
                 PropSpec::number("std-dev-y", "Standard deviation (spatial scale factor)", 1.5, 0.0, 1500.0),
                 PropSpec::enumeration("filter", "How the gaussian kernel is discretized", {"auto", "fir", "iir"}, 0),
                 PropSpec::enumeration("abyss-policy", "How image edges are handled",
                                       {"none", "clamp", "black", "white"}, 1),
                 PropSpec::boolean("clip-extent", "Should the output extent be clipped to the input extent",
                                   true)}}) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/gaussian-blur has no input");
    const PixelFormat work = working_format(in.input->format);
    const Image src = convert(*in.input, work);
    const BlurPlan plan = make_plan(p, work);
    if (plan.x.is_identity() && plan.y.is_identity()) return src;

    const int gx = plan.x.growth(), gy = plan.y.growth();
    if (auto e = ctx.check_size(int64_t{src.width()} + 2 * gx, int64_t{src.height()} + 2 * gy)) return *e;
    if (auto strips = blur::plan_strips(plan.x, plan.y, src.height())) {
      auto pixels = blur::blur_streamed(src.pixels, plan.x, plan.y, plan.edges, *strips, ctx.stop());
      if (!pixels.ok()) return pixels.take_error();
      return Image{*pixels, work, src.x, src.y};
    }
    auto out = horizontal_pass(src, plan, ctx);
    if (!out.ok()) return out.take_error();
    if (auto e = blur::blur_columns(out->plane, plan.y, plan.edges, ctx.stop())) return *e;
    return Image{out->image, work, src.x - gx, src.y - gy};
  }

 private:
  static BlurPlan make_plan(const PropertyValues& p, const PixelFormat& work) {
    const auto filter = static_cast<blur::Filter>(p.enum_index("filter"));
    const bool clip = p.boolean("clip-extent");
    BlurPlan plan;
    plan.x = {static_cast<float>(p.number("std-dev-x")), filter, clip};
    plan.y = {static_cast<float>(p.number("std-dev-y")), filter, clip};
    plan.edges = blur::make_edges(static_cast<blur::Abyss>(p.enum_index("abyss-policy")), work.bands(),
                                  work.has_alpha());
    return plan;
  }
};

}  // namespace

std::unique_ptr<Op> make_gaussian_blur() { return std::make_unique<GaussianBlur>(); }

}  // namespace imgflo::runtime::ops
