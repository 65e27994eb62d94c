// gegl/edge-sobel: per-channel Sobel gradients on linear "RGBA float".
//
//   Gx = [-1 0 1; -2 0 2; -1 0 1] * P     Gy = [1 2 1; 0 0 0; -1 -2 -1] * P
//   both directions:    c = sqrt(Gx^2 + Gy^2) / sqrt(32)
//   one direction:      c = 0.5 + G / 8 with keep-sign, |G| / 4 without
//                       (GEGL 0.4.42's scaling, also in 0.3-era sources)
//   alpha = the centre pixel's alpha (output "RGB float" when the input has
//   no alpha, "RGBA float" otherwise).
// Pixels outside the input are transparent black. Area filter: the extent
// grows by 1 pixel on every side, and GEGL centres the output pixel at
// (x, y) on the input pixel (x - 1, y - 1) (measured with GEGL 0.4.42; the
// 0.3.10 source reads its buffers the same way), so the edge map sits one
// pixel right of and below the image: the first row and column are zero
// (alpha 0 for inputs with alpha), the last ones carry the gradient of the
// image border.
// Defaults (GEGL): horizontal true, vertical true, keep-sign true.
// Computed lazily per output tile (runtime/ops/tiled.h, reach 1 around the
// input pixel each output pixel is centred on), so no whole image is held.
#include "runtime/ops/ops.h"
#include "runtime/ops/tiled.h"

#include <cmath>

namespace imgflo::runtime::ops {

namespace {

struct SobelOptions {
  bool horizontal = true;
  bool vertical = true;
  bool keep_sign = true;
  bool has_alpha = false;
};

float combine(float gx, float gy, const SobelOptions& o) {
  if (o.horizontal && o.vertical) return std::sqrt(gx * gx + gy * gy) / std::sqrt(32.0f);
  const float g = gx + gy;
  return o.keep_sign ? 0.5f + g / 8.0f : std::fabs(g) / 4.0f;
}

// One output row from three input rows (above, centre, below), each starting
// one pixel left of the first output pixel's centre.
void sobel_row(const float* up, const float* mid, const float* down, int width, int nc, const SobelOptions& o,
               float* out) {
  for (int i = 0; i < width; ++i) {
    const int L = i * nc, C = L + nc, R = C + nc;
    for (int c = 0; c < 3; ++c) {
      float gx = 0.0f, gy = 0.0f;
      if (o.horizontal) {
        gx += -up[L + c] + up[R + c];
        gx += -2.0f * mid[L + c] + 2.0f * mid[R + c];
        gx += -down[L + c] + down[R + c];
      }
      if (o.vertical) {
        gy += up[L + c] + 2.0f * up[C + c] + up[R + c];
        gy += -down[L + c] - 2.0f * down[C + c] - down[R + c];
      }
      out[i * nc + c] = combine(gx, gy, o);
    }
    if (o.has_alpha) out[i * nc + 3] = mid[C + 3];
  }
}

// Output pixel (i, j) (from the output's top-left, which lies at GEGL
// position (-1, -1) of the input) is centred on input pixel (i - 2, j - 2).
constexpr int kCentreOffset = -2;

// The edge map of one output tile.
TileFn sobel_tiles(const SobelOptions& o) {
  return [o](const InputWindow& in, const OutputTile& out, const Stop&) {
    const int left = out.area.x + kCentreOffset - 1;  // the left neighbour of the first centre
    for (int y = out.area.y; y < out.area.bottom(); ++y) {
      const int cy = y + kCentreOffset;
      sobel_row(in.at(left, cy - 1), in.at(left, cy), in.at(left, cy + 1), out.area.width, out.bands, o,
                out.at(out.area.x, y));
    }
    return true;
  };
}

class EdgeSobel final : public SpecOp {
 public:
  EdgeSobel()
      : SpecOp({"gegl/edge-sobel",
                "Specialized direction-dependent edge detection",
                {"input"},
                {PropSpec::boolean("horizontal", "Horizontal", true), PropSpec::boolean("vertical", "Vertical", true),
                 PropSpec::boolean("keep-sign",
                                   "Keep negative values in result; when off, the absolute value of the result is "
                                   "used instead.",
                                   true)}}) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/edge-sobel has no input");
    const SobelOptions o{p.boolean("horizontal"), p.boolean("vertical"), p.boolean("keep-sign"),
                         in.input->format.has_alpha()};
    const PixelFormat work = o.has_alpha ? fmt::kRGBAFloat : fmt::kRGBFloat;
    const Image src = convert(*in.input, work);
    if (auto e = ctx.check_size(int64_t{src.width()} + 2, int64_t{src.height()} + 2)) return *e;
    const TiledSpec spec{.width = src.width() + 2,
                         .height = src.height() + 2,
                         .bands = work.bands(),
                         .offset_x = kCentreOffset,
                         .offset_y = kCentreOffset,
                         .reach = {1, 1, 1, 1}};
    auto out = tiled_image(src.pixels, spec, ctx.stop(), sobel_tiles(o));
    if (!out.ok()) return out.take_error();
    return Image{*out, work, src.x - 1, src.y - 1};
  }
};

}  // namespace

std::unique_ptr<Op> make_edge_sobel() { return std::make_unique<EdgeSobel>(); }

}  // namespace imgflo::runtime::ops
