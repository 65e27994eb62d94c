// The universal width/height rescale, applied to the input before the graph.
//
// Semantics of GEGL's scale-size-keepaspect as the original server used it:
// a value <= 0 (or absent) is "free"; one dimension given -> the other keeps
// the aspect ratio; both given -> exactly width x height (aspect not kept);
// the output size is the scaled extent rounded outward (ceil); resampling is
// done in linear light with premultiplied alpha and the result has alpha
// (RaGaBaA float): border pixels that sample outside the input are partly
// transparent, as is a partially covered last row/column.
//
// Beside them (not in the original), how the image meets a width x height box
// (`fit`, runtime/fit.h does the cut and the padding):
//   fill     both sides exactly, stretched (the default; the original's rule)
//   inside   the largest size that fits in the box, aspect kept
//   outside  the smallest size that covers the box, aspect kept, nothing cut
//   cover    as outside, then cut to exactly the box at `gravity`
//            (centre, the 8 compass points, or smart = libvips' attention)
//   contain  as inside, then padded to exactly the box with `background`,
//            the image placed at `gravity`
// and `dpr` (1..4) multiplies width and height first (rounded to whole pixels).
// With one side only, every fit keeps the aspect (cover and contain need both).
#pragma once

#include "core/color.h"
#include "core/error.h"
#include "request/params.h"
#include "runtime/image.h"

#include <optional>

namespace imgflo::runtime {

enum class Fit { kFill, kInside, kOutside, kCover, kContain };
enum class Gravity { kCentre, kNorth, kNorthEast, kEast, kSouthEast, kSouth, kSouthWest, kWest, kNorthWest, kSmart };

// The values of the `fit` and `gravity` parameters, in enum order.
const std::vector<std::string>& fit_names();
const std::vector<std::string>& gravity_names();

// The range of `dpr` (device pixel ratio) a request may give.
inline constexpr double kMinDpr = 1.0;
inline constexpr double kMaxDpr = 4.0;

struct RescaleRequest {
  int width = -1;  // as requested, before dpr; -1 = free
  int height = -1;
  Fit fit = Fit::kFill;
  Gravity gravity = Gravity::kCentre;
  Color background{0, 0, 0, 0};  // contain's padding; transparent by default
  double dpr = 1.0;
  bool active() const { return width > 0 || height > 0; }
};

struct RescalePlan {
  int in_height = 0;       // of the input as stored (before any shrink-on-load)
  double exact_width = 0;  // scaled extent before rounding outward
  double exact_height = 0;
  int out_width = 0;       // ceil of the exact extent: what rescale() makes
  int out_height = 0;
  // The result after fit_to_box() (runtime/fit.h): the box for cover and
  // contain, out_width x out_height otherwise.
  Fit fit = Fit::kFill;
  Gravity gravity = Gravity::kCentre;
  int box_width = 0;
  int box_height = 0;
  // cover: the scaled image's whole pixels (a partly covered last row or
  // column left out), where the window may go.
  int cover_width = 0;
  int cover_height = 0;
  // cover: the window's origin in the scaled image (inside its whole pixels);
  // contain: the scaled image's origin in the box. 0 otherwise, and for
  // smart until resolve_smart_crop() sets it.
  int offset_x = 0;
  int offset_y = 0;
  // The whole input's extent in the pixels of the image rescale() is given;
  // 0 = that image's size. Set by plan_for_shrunk() (runtime/shrink_on_load.h)
  // where a shrunk-on-load decode is a fraction of a pixel larger.
  double source_width = 0;
  double source_height = 0;
};

// Parses and removes "width"/"height" from params, read by
// read_requested_side (core/text.h: "12.7" -> 12, "1e3" -> 1000, "0x10" -> 16,
// blank, zero, negative -> free; values that are not numbers are refused
// earlier by the 422 rule and free here). Other parameters are left in place.
// Only the sides: for runtimes without the fit parameters (canvas graphs).
RescaleRequest take_side_params(request::Params& params);

// take_side_params plus "fit", "gravity", "background" and "dpr" (the last
// occurrence of each counts). kInvalidArgument (400, details parameter /
// value / allowed) for a value outside its list, a colour that does not
// parse (core/color.h), a dpr that is not a number from 1 to 4, and cover
// or contain without both width and height; gravity=smart only with cover.
Result<RescaleRequest> take_rescale_params(request::Params& params);

// Output size and scale factors for an input of in_w x in_h (both >= 1).
// kTooLarge when the scaled image or the box would have more than
// `max_pixels` pixels or a side longer than libvips allows (sides times dpr,
// checked before they become integers): the admission check, made from the
// header before any pixel is decoded.
Result<RescalePlan> plan_rescale(int in_w, int in_h, const RescaleRequest& req, uint64_t max_pixels);

// kTooLarge unless a `width` x `height` output (any real values, checked
// before they are converted to integers) fits in `max_pixels` and in
// libvips' coordinate range. `what` names the output in the message.
Status check_output_size(double width, double height, uint64_t max_pixels, std::string_view what);

// GEGL 0.4's linear sampler averages up to this many bilinear samples per
// axis when it shrinks (its box filter).
inline constexpr int kGeglMaxBoxSamples = 4;

// Bilinear samples per output pixel along one axis (`horizontal` or not) for
// a scale of scale_x x scale_y (both > 0), as GEGL's linear sampler takes
// them: 1 unless one axis shrinks by 2 or more; then floor(1 / scale) of that
// axis, between 1 and kGeglMaxBoxSamples.
int gegl_box_samples(double scale_x, double scale_y, bool horizontal);

// Output rows (of out_h) that GEGL renders for an input in_h high scaled by
// scale_y: it leaves a row transparent when the row's centre maps more than
// one pixel below the input, which only a last, partly covered row of a
// vertical shrink by more than 2 can do.
int gegl_rendered_rows(int in_h, double scale_y, int out_h);

// What rescale() does to a given image for a plan.
struct RescaleGeometry {
  double sx = 1, sy = 1;  // scale from the image's pixels to the output's
  bool copy = false;      // both 1: the image is only placed on the output extent
  int nx = 1, ny = 1;     // gegl_box_samples() per axis
  // Coverage of the image's last column/row by the whole input, for a copy
  // (1 unless a shrunk-on-load JPEG's side is not a multiple of the factor).
  float cover_x = 1, cover_y = 1;
  int rendered_rows = 0;  // gegl_rendered_rows() of the output
};

RescaleGeometry rescale_geometry(const Image& img, const RescalePlan& plan);

// rescale()'s resampling (not a copy) of `pixels` (float, any bands:
// premultiplied when one is alpha) to the plan's output size: black outside
// the input and past g.rendered_rows. Lazy.
vips::VImage resample(const vips::VImage& pixels, const RescaleGeometry& g, const RescalePlan& plan);

// Resizes `img` (the input, possibly already shrunk on load) to the plan's
// output size the way GEGL 0.4.42's scale-size-keepaspect does: output pixel
// centre (X + 0.5) maps to input position (X + 0.5) / scale, sampled
// bilinearly between pixel centres in premultiplied linear light (RaGaBaA
// float), with gegl_box_samples() samples per axis averaged when shrinking;
// outside the input is transparent, and so are rows past
// gegl_rendered_rows(). When a shrunk-on-load JPEG is only copied (the
// plan's scale is 1 in decoded pixels, as 2048x1365 -> width 512 at 1/4),
// its partly covered last row/column (plan.source_width/height a fraction
// below the image's size) gets that fraction as alpha, exactly as the full
// decode's box filter fades it (a quarter: 64 in 8 bits). Resampled, the
// shrunk image's last row/column stays opaque (GEGL's fade then is only
// approximated: a full decode fades within one of its own pixels). A lazy
// libvips pipeline (affine with the bilinear interpolator, then an integer
// box shrink when averaging).
Image rescale(const Image& img, const RescalePlan& plan);

}  // namespace imgflo::runtime
