// gegl/noise-reduction: edge-preserving ("anisotropic") smoothing in
// perceptual "R'G'B'A float", `iterations` passes, alpha copied.
//
// Per colour channel and pixel with value c and its 8 neighbours, the four
// axes (horizontal, vertical, two diagonals) each have a metric
// (2c - before - after)^2. Each neighbour n proposes v = (n + c) / 2; v is
// accepted when, with c replaced by v, no axis metric grows. The pixel
// becomes the mean of c and the accepted proposals.
//
// GEGL details kept: the working area is the image grown by `iterations`
// pixels on every side (outside the image: transparent black, i.e. 0);
// each pass updates the area in place, row by row, left to right, so a pixel
// already sees the new values of the pixels above and to its left; pass k
// (from 0) covers the area minus a 1-pixel border on the top and left and
// 2(k+1) - 1 pixels on the bottom and right, so the last rows and columns
// of the image get fewer passes. The image is processed as one region
// (GEGL gives the same result when it renders the whole image as one chunk).
//
// GEGL 0.3.10 default: iterations 4 (0..32); 0 passes the input through
// untouched. Extent and origin unchanged.
#include "runtime/float_pixels.h"
#include "runtime/ops/ops.h"
#include "runtime/parallel.h"

#include <vector>

namespace imgflo::runtime::ops {

namespace {

// One colour channel of the working area.
struct Plane {
  int width = 0, height = 0;
  std::vector<float> values;
  float* at(int x, int y) { return values.data() + static_cast<size_t>(y) * width + x; }
};

float axis_metric(float before, float centre, float after) {
  const float d = centre * 2 - before - after;
  return d * d;
}

// The smoothed value of the pixel at `c` (row stride `stride`).
float smooth_pixel(const float* c, int stride) {
  // Neighbours in GEGL's order; neighbour i and 7 - i lie on one axis.
  const float n[8] = {c[-stride - 1], c[-stride], c[-stride + 1], c[-1],
                      c[1],           c[stride - 1], c[stride],   c[stride + 1]};
  float reference[4];
  for (int axis = 0; axis < 4; ++axis) reference[axis] = axis_metric(n[axis], *c, n[7 - axis]);
  float sum = *c;
  int count = 1;
  for (float neighbour : n) {
    const float proposal = neighbour * 0.5f + *c * 0.5f;
    bool smooth = true;
    for (int axis = 0; axis < 4 && smooth; ++axis) {
      smooth = axis_metric(n[axis], proposal, n[7 - axis]) <= reference[axis];
    }
    if (smooth) {
      sum += proposal;
      ++count;
    }
  }
  return sum / count;
}

// All passes over one plane; false when stopped.
bool smooth_plane(Plane& p, int iterations, int image_width, int image_height, const Stop& stop) {
  for (int pass = 0; pass < iterations; ++pass) {
    const int w = image_width + 2 * (iterations - 1 - pass);
    const int h = image_height + 2 * (iterations - 1 - pass);
    for (int y = 1; y <= h; ++y) {
      if (stop.requested()) return false;
      float* c = p.at(1, y);
      for (int x = 0; x < w; ++x, ++c) *c = smooth_pixel(c, p.width);
    }
  }
  return true;
}

class NoiseReduction final : public SpecOp {
 public:
  NoiseReduction()
      : SpecOp({"gegl/noise-reduction",
                "Anisotropic smoothing operation",
                {"input"},
                {PropSpec::integer("iterations",
                                   "Controls the number of iterations; lower values give less plastic results", 4, 0,
                                   32)}}) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/noise-reduction has no input");
    const int iterations = static_cast<int>(p.integer("iterations"));
    if (iterations == 0) return *in.input;
    const Image src = convert(*in.input, fmt::kRpGpBpAFloat);
    const Rect area{src.x - iterations, src.y - iterations, src.width() + 2 * iterations,
                    src.height() + 2 * iterations};
    if (auto e = ctx.check_size(area.width, area.height)) return *e;
    auto padded = read_float_pixels(place(src, area).pixels, ctx);
    if (!padded.ok()) return padded.error();

    std::vector<Plane> planes(3);
    for (int c = 0; c < 3; ++c) planes[c] = extract_plane(*padded, c);
    auto smooth = [&](int c, int) { smooth_plane(planes[c], iterations, src.width(), src.height(), ctx.stop()); };
    if (auto e = parallel_for(3, ctx.stop(), smooth)) return *e;
    if (auto e = ctx.check()) return *e;
    return Image{assemble(planes, *padded, iterations, src), fmt::kRpGpBpAFloat, src.x, src.y};
  }

 private:
  static Plane extract_plane(const FloatPixels& px, int channel) {
    Plane p{px.width(), px.height(), std::vector<float>(static_cast<size_t>(px.width()) * px.height())};
    for (int y = 0; y < px.height(); ++y) {
      const float* s = px.row(y) + channel;
      float* d = p.at(0, y);
      for (int x = 0; x < px.width(); ++x, s += 4) d[x] = *s;
    }
    return p;
  }

  // The image's part of the planes, with the input's alpha.
  static vips::VImage assemble(std::vector<Plane>& planes, const FloatPixels& padded, int border, const Image& src) {
    FloatPixels out = FloatPixels::create(src.width(), src.height(), 4);
    for (int y = 0; y < src.height(); ++y) {
      float* d = out.row(y);
      const float* alpha = padded.at(border, y + border) + 3;
      for (int x = 0; x < src.width(); ++x, d += 4, alpha += 4) {
        for (int c = 0; c < 3; ++c) d[c] = *planes[c].at(x + border, y + border);
        d[3] = *alpha;
      }
    }
    return out.image();
  }
};

}  // namespace

std::unique_ptr<Op> make_noise_reduction() { return std::make_unique<NoiseReduction>(); }

}  // namespace imgflo::runtime::ops
