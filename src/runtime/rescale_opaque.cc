#include "runtime/rescale_opaque.h"

#include <algorithm>
#include <cmath>

namespace imgflo::runtime {

namespace {

// Where pre-shrink sample k of an axis reads the input (pixel centres at
// integers), as resample() sets up libvips' affine.
double opaque_sample_position(int k, double s, int n) { return (k + 0.5) / (s * n) - 0.5; }

// Output pixel `x` reads only pixels 1 .. opaque - 2 through both taps of all
// its samples (a pixel of margin on each side of the opaque ones).
bool opaque_inner_pixel(int x, int opaque, double s, int n) {
  const double first = opaque_sample_position(x * n, s, n);
  const double last = opaque_sample_position(x * n + n - 1, s, n);
  return first >= 1.0 && std::floor(last) + 2 <= opaque - 1;
}

// The whole opaque input pixels along an axis: the faded last one is not.
int opaque_pixels(int size, float coverage) { return coverage < 1.0f ? size - 1 : size; }

}  // namespace

InnerSpan inner_span(int opaque, double s, int n, int out) {
  InnerSpan span{0, out};
  while (span.first < out && !opaque_inner_pixel(span.first, opaque, s, n)) ++span.first;
  while (span.end > span.first && !opaque_inner_pixel(span.end - 1, opaque, s, n)) --span.end;
  return span;
}

Image rescale_for_opaque_output(const Image& img, const RescalePlan& plan) {
  if (img.format.has_alpha() || img.format.depth != Depth::kU8) return rescale(img, plan);
  const RescaleGeometry g = rescale_geometry(img, plan);
  if (g.copy) return place(img, Rect{0, 0, plan.out_width, plan.out_height});
  const InnerSpan xs = inner_span(opaque_pixels(img.width(), g.cover_x), g.sx, g.nx, plan.out_width);
  InnerSpan ys = inner_span(opaque_pixels(img.height(), g.cover_y), g.sy, g.ny, plan.out_height);
  ys.end = std::min(ys.end, g.rendered_rows);
  const Image exact = convert(rescale(img, plan), fmt::kRGBFloat);
  if (xs.first >= xs.end || ys.first >= ys.end) return exact;
  // The fast resample everywhere, rescale()'s own pixels pasted on the edges
  // (libvips' insert computes the main image and only the pasted areas).
  vips::VImage v = resample(convert(img, fmt::kRGBFloat).pixels, g, plan);
  const int w = plan.out_width, h = plan.out_height;
  const Rect edges[] = {{0, 0, w, ys.first},
                        {0, ys.end, w, h - ys.end},
                        {0, ys.first, xs.first, ys.end - ys.first},
                        {xs.end, ys.first, w - xs.end, ys.end - ys.first}};
  for (const Rect& r : edges) {
    if (!r.empty()) v = v.insert(exact.pixels.extract_area(r.x, r.y, r.width, r.height), r.x, r.y);
  }
  return Image{v, fmt::kRGBFloat, 0, 0};
}

}  // namespace imgflo::runtime
