// gegl/rotate-on-center: rotates the image about itself and moves the
// rotated box back to the origin (GEGL 0.3.10 gegl:rotate-on-center, a
// transform op).
//
// Geometry, in GEGL coordinates (pixel [i][j] covers [i, i+1) x [j, j+1)):
// with r = degrees * 2pi / 360 and the input's width w and height h, the
// forward map is
//   x' =  x cos r + y sin r - tx - w cos r - h sin r
//   y' = -x sin r + y cos r - ty + w sin r - h cos r
// where (tx, ty) is the minimum (and 0) of the rotated corners of
// [-w, 0] x [-h, 0]: on screen (y down) the image turns counter-clockwise by
// `degrees` (0.3.10's property text says "clockwise"; the matrix is the same)
// and its rotated bounding box starts at (0, 0). Coefficients within 1e-10 of
// an integer are snapped to it, as GEGL's transform core does. The output extent is the
// floor/ceil box of the transformed input corners: 150x150 at 30 degrees gives
// 205x205, at 45 degrees 213x213, at 90/180 degrees 150x150.
//
// Each output pixel takes the inverse-mapped position of its centre
// (x + 0.5, y + 0.5) and samples the input there: nearest takes the pixel
// floor(position) (with GEGL's float rounding of the position, so it is
// bit-exact); linear is bilinear between pixel centres; cubic, nohalo and
// lohalo use libvips' bicubic, nohalo and lbb interpolators (close to, not
// the same as, GEGL's). Outside the input is transparent. Output format:
// linear premultiplied "RaGaBaA float", so an opaque input gains alpha and the
// uncovered corners are transparent.
//
// The input is computed into memory first (random access); the sampling is
// a lazy libvips mapim over an index image of inverse-mapped positions.
//
// As in GEGL, a matrix within 1e-10 of the identity (0, 360, ... degrees)
// passes the input through untouched (format included), and a pure
// translation is applied by moving the origin.
//
// Properties (GEGL 0.3.10): degrees (unbounded, default 0), sampler
// (nearest/linear/cubic/nohalo/lohalo, default linear).
#include "runtime/ops/ops.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace imgflo::runtime::ops {

namespace {

constexpr double kMatrixEpsilon = 1e-10;         // gegl-matrix.c
constexpr double kTransformEpsilon = 1e-7;       // transform-core.c
constexpr int kSamplerNearest = 0;
constexpr int kBorder = 3;  // transparent pixels around the input for wide interpolators

// The top two rows of an affine GeglMatrix3.
struct Affine {
  double m[2][3] = {{1, 0, 0}, {0, 1, 0}};

  void apply(double& x, double& y) const {
    const double xp = x * m[0][0] + y * m[0][1] + m[0][2];
    const double yp = x * m[1][0] + y * m[1][1] + m[1][2];
    x = xp;
    y = yp;
  }
};

Affine rotation(double degrees, double w, double h) {
  const double r = degrees * (2 * std::numbers::pi / 360.0);
  const double c = std::cos(r), s = std::sin(r);
  const double x0 = -w * c - h * s, y0 = w * s - h * c;
  const double xs[4] = {x0, w * c + x0, w * c + h * s + x0, h * s + x0};
  const double ys[4] = {y0, -w * s + y0, -w * s + h * c + y0, h * c + y0};
  double tx = 0.0, ty = 0.0;
  for (int i = 0; i < 4; ++i) {
    tx = std::min(tx, xs[i]);
    ty = std::min(ty, ys[i]);
  }
  Affine a;
  a.m[0][0] = c;
  a.m[0][1] = s;
  a.m[0][2] = -tx - w * c - h * s;
  a.m[1][0] = -s;
  a.m[1][1] = c;
  a.m[1][2] = -ty + w * s - h * c;
  // GEGL snaps coefficients within 1e-10 of an integer (gegl_matrix3_round_error),
  // so e.g. a corner at -1e-14 does not add a row to the extent.
  for (auto& row : a.m) {
    for (double& v : row) {
      const double i = std::floor(v + 0.5);
      if (std::fabs(v - i) < kMatrixEpsilon) v = i;
    }
  }
  return a;
}

// gegl_matrix3_invert for a matrix whose last row is (0, 0, 1).
Affine inverted(const Affine& a) {
  const double (&m)[2][3] = a.m;
  const double k = 1 / (m[0][0] * m[1][1] - m[0][1] * m[1][0]);
  Affine r;
  r.m[0][0] = m[1][1] * k;
  r.m[0][1] = -m[0][1] * k;
  r.m[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) * k;
  r.m[1][0] = -m[1][0] * k;
  r.m[1][1] = m[0][0] * k;
  r.m[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) * k;
  return r;
}

// Smallest pixel box holding the transformed corners of `in`.
Rect transformed_extent(const Affine& a, const Rect& in) {
  double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
  const double xs[4] = {double(in.x), double(in.x) + in.width, double(in.x) + in.width, double(in.x)};
  const double ys[4] = {double(in.y), double(in.y), double(in.y) + in.height, double(in.y) + in.height};
  for (int i = 0; i < 4; ++i) {
    double x = xs[i], y = ys[i];
    a.apply(x, y);
    min_x = i == 0 ? x : std::min(min_x, x);
    max_x = i == 0 ? x : std::max(max_x, x);
    min_y = i == 0 ? y : std::min(min_y, y);
    max_y = i == 0 ? y : std::max(max_y, y);
  }
  const double left = std::floor(min_x), top = std::floor(min_y);
  return Rect{int(left), int(top), int(std::ceil(max_x) - left), int(std::ceil(max_y) - top)};
}

bool near(double v, double target, double eps) { return std::fabs(v - target) <= eps; }

bool is_translation(const Affine& a) {
  return near(a.m[0][0], 1, kMatrixEpsilon) && near(a.m[0][1], 0, kMatrixEpsilon) &&
         near(a.m[1][0], 0, kMatrixEpsilon) && near(a.m[1][1], 1, kMatrixEpsilon);
}

bool is_integer(double v) { return near(v, std::round(v), kTransformEpsilon); }

// For every output pixel, the libvips coordinates in the source image of the
// inverse-mapped centre, minus `base` (the GEGL position of index 0).
vips::VImage sample_positions(const Affine& inv, const Rect& out, double base_x, double base_y) {
  using vips::VImage;
  const VImage xy = VImage::xyz(out.width, out.height).cast(VIPS_FORMAT_DOUBLE);
  const VImage gx = xy.extract_band(0) + (out.x + 0.5);
  const VImage gy = xy.extract_band(1) + (out.y + 0.5);
  const VImage u = gx * inv.m[0][0] + gy * inv.m[0][1] + (inv.m[0][2] - base_x);
  const VImage v = gx * inv.m[1][0] + gy * inv.m[1][1] + (inv.m[1][2] - base_y);
  return VImage::bandjoin({u, v});
}

const char* vips_interpolator(int64_t sampler) {
  static const char* const names[] = {"nearest", "bilinear", "bicubic", "nohalo", "lbb"};
  return names[sampler];
}

vips::VImage resample(const Image& src, const Affine& inv, const Rect& out, int64_t sampler) {
  auto interpolate = vips::VInterpolate::new_from_name(vips_interpolator(sampler));
  // Our pixels are premultiplied already: stop libvips from doing it again.
  auto opts = [&] {
    return vips::VImage::option()
        ->set("interpolate", interpolate)
        ->set("premultiplied", true)
        ->set("extend", VIPS_EXTEND_BLACK);
  };
  if (sampler == kSamplerNearest) {
    // libvips' nearest takes the pixel (int) position, i.e. floor for the
    // positions it accepts (>= 0); GEGL floors the position as a float.
    const vips::VImage index = sample_positions(inv, out, src.x, src.y).cast(VIPS_FORMAT_FLOAT);
    return src.pixels.mapim(index, opts());
  }
  // The other interpolators put pixel centres at integer positions and read
  // a neighbourhood: surround the input with transparent pixels.
  const Image framed =
      place(src, Rect{src.x - kBorder, src.y - kBorder, src.width() + 2 * kBorder, src.height() + 2 * kBorder});
  const vips::VImage index = sample_positions(inv, out, framed.x + 0.5, framed.y + 0.5);
  return framed.pixels.mapim(index, opts());
}

class RotateOnCenter final : public SpecOp {
 public:
  RotateOnCenter()
      : SpecOp(with_alpha({"gegl/rotate-on-center",
                "Rotate the buffer around its center, taking care of possible offsets.",
                {"input"},
                {PropSpec::number("degrees", "Angle to rotate (clockwise)", 0.0),
                 PropSpec::enumeration("sampler", "Sampler used internally",
                                       {"nearest", "linear", "cubic", "nohalo", "lohalo"}, 1)}},
                           AlphaRule::kAdds)) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/rotate-on-center has no input");
    const double degrees = p.number("degrees");
    if (!std::isfinite(degrees)) return Error(ErrorKind::kInvalidArgument, "rotate-on-center: degrees is not finite");
    const int64_t sampler = p.enum_index("sampler");
    const Image& input = *in.input;
    const Affine forward = rotation(degrees, input.width(), input.height());

    if (is_translation(forward)) {
      const double dx = forward.m[0][2], dy = forward.m[1][2];
      if (near(dx, 0, kMatrixEpsilon) && near(dy, 0, kMatrixEpsilon)) return input;
      if ((is_integer(dx) && is_integer(dy)) || sampler == kSamplerNearest) {
        return Image{input.pixels, input.format, input.x + int(std::round(dx)), input.y + int(std::round(dy))};
      }
    }
    const Rect out = transformed_extent(forward, input.extent());
    if (auto e = ctx.check_size(out.width, out.height)) return *e;
    // Rotated output tiles read the input in any order (a 90 degree turn
    // reads it column by column): compute the input into memory first.
    auto pixels = ctx.materialize(input.pixels);
    if (!pixels.ok()) return pixels.error();
    const Image src = convert(Image{*pixels, input.format, input.x, input.y}, fmt::kRaGaBaAFloat);
    return Image{resample(src, inverted(forward), out, sampler), fmt::kRaGaBaAFloat, out.x, out.y};
  }
};

}  // namespace

std::unique_ptr<Op> make_rotate_on_center() { return std::make_unique<RotateOnCenter>(); }

}  // namespace imgflo::runtime::ops
