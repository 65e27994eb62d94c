// gegl/motion-blur-linear: blurs along a straight line, as a camera moving
// during the exposure (GEGL 0.3.10 gegl:motion-blur-linear).
//
// Working format: linear premultiplied "RaGaBaA float" (the result keeps it).
// With theta = angle in radians, brought into [0, 2pi) by adding 2pi, and
// the offset (ox, oy) = length * (cos theta, sin theta) (y points down, so
// 90 degrees is vertical), each output pixel p is the mean of
// n = ceil(length) + 1 samples at p + t * (ox, oy), t evenly spaced over
// [-0.5, 0.5] (t = 0 when n = 1). A sample at a fractional position is the
// bilinear mix of its 4 neighbours; pixels outside the input are transparent.
// Extent: the input grown by ceil(|ox| / 2) on the left and right and by
// ceil(|oy| / 2) at the top and bottom (the defaults of the motionblur graph,
// length 100 at 90 degrees, give (W + 2) x (H + 100), origin (-1, -50)).
//
// Since the sample offsets do not depend on p, the n bilinear taps are
// gathered once into a sparse 2-D kernel and the blur is one lazy libvips
// float convolution. Kernel weights below 1e-9 are dropped: they come from
// the round-off of axis-aligned angles (cos 90 degrees = 6e-17) and change
// no float result, but would triple the work.
//
// Properties (GEGL 0.3.10): length (0..1000, default 10), angle (-180..180
// degrees, default 0).
#include "runtime/ops/ops.h"

#include <cmath>
#include <numbers>
#include <vector>

namespace imgflo::runtime::ops {

namespace {

constexpr double kNegligibleWeight = 1e-9;

// The blur vector and how far it reaches past the input on each side.
struct Streak {
  double ox = 0, oy = 0;  // length * (cos, sin) of the angle
  int margin_x = 0, margin_y = 0;
  int steps = 1;
};

Streak make_streak(double length, double angle_degrees) {
  double theta = angle_degrees * std::numbers::pi / 180.0;
  while (theta < 0.0) theta += 2 * std::numbers::pi;
  Streak s;
  s.ox = length * std::cos(theta);
  s.oy = length * std::sin(theta);
  s.margin_x = static_cast<int>(std::ceil(0.5 * std::fabs(s.ox)));
  s.margin_y = static_cast<int>(std::ceil(0.5 * std::fabs(s.oy)));
  s.steps = static_cast<int>(std::ceil(length)) + 1;
  return s;
}

// The averaged bilinear taps as a (2 mx + 3) x (2 my + 3) matrix image whose
// centre is the output pixel: taps reach from -margin to margin + 1.
vips::VImage streak_kernel(const Streak& s) {
  const int cx = s.margin_x + 1, cy = s.margin_y + 1;
  const int w = 2 * cx + 1, h = 2 * cy + 1;
  std::vector<double> k(static_cast<size_t>(w) * h, 0.0);
  auto add = [&](int x, int y, double weight) { k[static_cast<size_t>(y) * w + x] += weight; };
  for (int step = 0; step < s.steps; ++step) {
    const double t = s.steps == 1 ? 0.0 : step / static_cast<double>(s.steps - 1) - 0.5;
    const double xx = t * s.ox, yy = t * s.oy;
    const double fx = std::floor(xx), fy = std::floor(yy);
    const double dx = xx - fx, dy = yy - fy;
    const int ix = static_cast<int>(fx) + cx, iy = static_cast<int>(fy) + cy;
    add(ix, iy, (1 - dx) * (1 - dy));
    add(ix + 1, iy, dx * (1 - dy));
    add(ix, iy + 1, (1 - dx) * dy);
    add(ix + 1, iy + 1, dx * dy);
  }
  for (double& v : k) {
    v /= s.steps;
    if (std::fabs(v) < kNegligibleWeight) v = 0.0;
  }
  return vips::VImage::new_matrix(w, h, k.data(), static_cast<int>(k.size()));
}

class MotionBlurLinear final : public SpecOp {
 public:
  MotionBlurLinear()
      : SpecOp({"gegl/motion-blur-linear",
                "Blur pixels in a direction, simulates blurring caused by moving camera in a straight line "
                "during exposure.",
                {"input"},
                {PropSpec::number("length", "Length of blur in pixels", 10.0, 0.0, 1000.0),
                 PropSpec::number("angle", "Angle of blur in degrees", 0.0, -180.0, 180.0)}}) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/motion-blur-linear has no input");
    const Streak s = make_streak(p.number("length"), p.number("angle"));
    const Image src = convert(*in.input, fmt::kRaGaBaAFloat);
    const Rect out{src.x - s.margin_x, src.y - s.margin_y, src.width() + 2 * s.margin_x,
                   src.height() + 2 * s.margin_y};
    if (auto e = ctx.check_size(out.width, out.height)) return *e;
    if (s.steps == 1) return src;  // length 0: one sample at the pixel itself

    const vips::VImage kernel = streak_kernel(s);
    const int cx = kernel.width() / 2, cy = kernel.height() / 2;
    // Transparent padding so every tap of every output pixel reads real data.
    const Image padded = place(src, Rect{out.x - cx, out.y - cy, out.width + 2 * cx, out.height + 2 * cy});
    const vips::VImage blurred =
        padded.pixels.conv(kernel, vips::VImage::option()->set("precision", VIPS_PRECISION_FLOAT));
    return Image{blurred.extract_area(cx, cy, out.width, out.height), fmt::kRaGaBaAFloat, out.x, out.y};
  }
};

}  // namespace

std::unique_ptr<Op> make_motion_blur_linear() { return std::make_unique<MotionBlurLinear>(); }

}  // namespace imgflo::runtime::ops
