#include "runtime/rescale.h"

#include "core/text.h"
#include "request/param_value.h"
#include "runtime/runtime.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace imgflo::runtime {

namespace {

// One side; -1 when free.
int requested_side(const std::string& text) {
  const RequestedSide side = read_requested_side(text);
  return side.kind == RequestedSide::kPixels ? side.pixels : -1;
}

// The texts of the fit parameters, as the request gave them (last occurrence).
struct FitTexts {
  std::optional<std::string> fit, gravity, background, dpr;
};

// Removes `name` from params (every occurrence) and returns the last value.
std::optional<std::string> take_last(request::Params& params, std::string_view name) {
  std::optional<std::string> last;
  std::erase_if(params, [&](const auto& p) {
    if (p.first != name) return false;
    last = p.second;
    return true;
  });
  return last;
}

// The index of `text` in `names`, or the 400 naming the parameter and the list.
Result<int> enum_value(std::string_view name, const std::string& text, const std::vector<std::string>& names) {
  const request::ParamRule rule{request::ParamType::kEnum, std::nullopt, std::nullopt, names};
  auto v = request::parse_param(rule, name, text);
  if (!v.ok()) return v.take_error();
  return static_cast<int>(std::get<int64_t>(*v));
}

Status read_fit_params(const FitTexts& t, RescaleRequest& req) {
  if (t.fit) {
    auto v = enum_value("fit", *t.fit, fit_names());
    if (!v.ok()) return v.take_error();
    req.fit = static_cast<Fit>(*v);
  }
  if (t.gravity) {
    auto v = enum_value("gravity", *t.gravity, gravity_names());
    if (!v.ok()) return v.take_error();
    req.gravity = static_cast<Gravity>(*v);
  }
  if (t.background) {
    auto v = request::parse_param({request::ParamType::kColor}, "background", *t.background);
    if (!v.ok()) return v.take_error();
    req.background = std::get<Color>(*v);
  }
  if (t.dpr) {
    auto v = request::parse_param({request::ParamType::kNumber}, "dpr", *t.dpr);
    if (!v.ok()) return v.take_error();
    const double dpr = std::get<double>(*v);
    if (!(dpr >= kMinDpr && dpr <= kMaxDpr)) return request::invalid_value("dpr", *t.dpr, "number from 1 to 4");
    req.dpr = dpr;
  }
  return ok_status();
}

// The combinations that cannot mean anything.
Status check_fit_combination(const FitTexts& t, const RescaleRequest& req) {
  const bool box = req.fit == Fit::kCover || req.fit == Fit::kContain;
  if (box && (req.width <= 0 || req.height <= 0)) {
    return Error(ErrorKind::kInvalidArgument, "fit=" + *t.fit + " needs both width and height",
                 {{"parameter", "fit"},
                  {"value", *t.fit},
                  {"allowed", "cover and contain need both width and height"}});
  }
  if (req.gravity == Gravity::kSmart && req.fit != Fit::kCover) {
    return Error(ErrorKind::kInvalidArgument, "gravity=smart needs fit=cover",
                 {{"parameter", "gravity"}, {"value", *t.gravity}, {"allowed", "smart only with fit=cover"}});
  }
  return ok_status();
}

// Where a part `excess` pixels smaller than its frame starts along one axis.
int gravity_offset(Gravity g, int excess, bool horizontal) {
  using enum Gravity;
  const bool low = horizontal ? (g == kNorthWest || g == kWest || g == kSouthWest)
                              : (g == kNorthWest || g == kNorth || g == kNorthEast);
  const bool high = horizontal ? (g == kNorthEast || g == kEast || g == kSouthEast)
                               : (g == kSouthWest || g == kSouth || g == kSouthEast);
  if (low) return 0;
  if (high) return excess;
  return excess / 2;  // as libvips' centre crop
}

// A requested side times dpr in whole pixels (kept in floating point until
// checked); -1 when free.
double target_side(int side, double dpr) { return side > 0 ? std::max(1.0, std::round(side * dpr)) : -1.0; }

// The scale of each axis for a box of tw x th (-1 = free side).
std::pair<double, double> scale_factors(int in_w, int in_h, double tw, double th, Fit fit) {
  if (tw > 0 && th > 0) {
    const double sx = tw / in_w, sy = th / in_h;
    if (fit == Fit::kInside || fit == Fit::kContain) return {std::min(sx, sy), std::min(sx, sy)};
    if (fit == Fit::kOutside || fit == Fit::kCover) return {std::max(sx, sy), std::max(sx, sy)};
    return {sx, sy};
  }
  if (tw > 0) return {tw / in_w, tw / in_w};
  if (th > 0) return {th / in_h, th / in_h};
  return {1.0, 1.0};
}

// The box and the offsets of cover and contain (plan's out_* already set).
Status plan_box(RescalePlan& plan, double tw, double th, uint64_t max_pixels) {
  if (plan.fit != Fit::kCover && plan.fit != Fit::kContain) {
    plan.box_width = plan.out_width;
    plan.box_height = plan.out_height;
    return ok_status();
  }
  if (Status st = check_output_size(tw, th, max_pixels, "the requested box"); !st.ok()) return st;
  plan.box_width = static_cast<int>(tw);
  plan.box_height = static_cast<int>(th);
  int excess_x = plan.box_width - plan.out_width, excess_y = plan.box_height - plan.out_height;
  if (plan.fit == Fit::kCover) {
    // The window stays inside the whole pixels (a partly covered last
    // row/column of the scaled image is never part of it).
    const int whole_w = std::clamp(static_cast<int>(std::floor(plan.exact_width + 1e-9)), plan.box_width,
                                   std::max(plan.box_width, plan.out_width));
    const int whole_h = std::clamp(static_cast<int>(std::floor(plan.exact_height + 1e-9)), plan.box_height,
                                   std::max(plan.box_height, plan.out_height));
    plan.cover_width = whole_w;
    plan.cover_height = whole_h;
    excess_x = whole_w - plan.box_width;
    excess_y = whole_h - plan.box_height;
  }
  const Gravity g = plan.gravity == Gravity::kSmart ? Gravity::kCentre : plan.gravity;
  plan.offset_x = gravity_offset(g, std::max(0, excess_x), true);
  plan.offset_y = gravity_offset(g, std::max(0, excess_y), false);
  return ok_status();
}

}  // namespace

const std::vector<std::string>& fit_names() {
  static const std::vector<std::string> names = {"fill", "inside", "outside", "cover", "contain"};
  return names;
}

const std::vector<std::string>& gravity_names() {
  static const std::vector<std::string> names = {"centre",    "north", "northeast", "east",      "southeast",
                                                 "south",     "southwest", "west",  "northwest", "smart"};
  return names;
}

std::vector<ParamInfo> fit_parameters() {
  using ojson = nlohmann::ordered_json;
  return {
      {"fit",
       ojson{{"type", "enum"},
             {"description",
              "How the image meets a width x height box: fill (stretched), inside / outside (fits in / covers it, "
              "aspect kept), cover (covers it, cut at gravity), contain (fits in it, padded with background); "
              "cover and contain need both sides, one side alone always keeps the aspect"},
             {"default", "fill"},
             {"values", fit_names()}}},
      {"gravity",
       ojson{{"type", "enum"},
             {"description", "Where fit=cover cuts (smart: libvips' attention) and where fit=contain places the image"},
             {"default", "centre"},
             {"values", gravity_names()}}},
      {"background",
       ojson{{"type", "color"},
             {"description", "Padding colour of fit=contain (transparent by default; over white for JPEG output)"},
             {"default", Color{0, 0, 0, 0}.to_hex()}}},
      {"dpr",
       ojson{{"type", "number"},
             {"description", "Device pixel ratio: multiplies width and height (the product counts against the limits)"},
             {"default", 1},
             {"minimum", kMinDpr},
             {"maximum", kMaxDpr}}},
  };
}

RescaleRequest take_side_params(request::Params& params) {
  RescaleRequest req;
  std::erase_if(params, [&](const auto& p) {
    if (p.first == "width") {
      req.width = requested_side(p.second);
      return true;
    }
    if (p.first == "height") {
      req.height = requested_side(p.second);
      return true;
    }
    return false;
  });
  return req;
}

Result<RescaleRequest> take_rescale_params(request::Params& params) {
  RescaleRequest req = take_side_params(params);
  FitTexts t;
  t.fit = take_last(params, "fit");
  t.gravity = take_last(params, "gravity");
  t.background = take_last(params, "background");
  t.dpr = take_last(params, "dpr");
  if (Status st = read_fit_params(t, req); !st.ok()) return st.take_error();
  if (Status st = check_fit_combination(t, req); !st.ok()) return st.take_error();
  return req;
}

Status check_output_size(double width, double height, uint64_t max_pixels, std::string_view what) {
  const bool fits = width >= 0 && height >= 0 && width <= VIPS_MAX_COORD && height <= VIPS_MAX_COORD &&
                    width * height <= static_cast<double>(max_pixels);
  if (fits) return ok_status();
  return Error(ErrorKind::kTooLarge,
               std::string(what) + " would be over the limit of " + std::to_string(max_pixels) + " pixels",
               {{"limit_pixels", max_pixels}});
}

Result<RescalePlan> plan_rescale(int in_w, int in_h, const RescaleRequest& req, uint64_t max_pixels) {
  const double tw = target_side(req.width, req.dpr), th = target_side(req.height, req.dpr);
  const auto [sx, sy] = scale_factors(in_w, in_h, tw, th, req.fit);
  RescalePlan plan;
  plan.in_height = in_h;
  plan.exact_width = in_w * sx;
  plan.exact_height = in_h * sy;
  // Round outward, tolerating floating-point noise on exact results.
  const double w = std::max(1.0, std::ceil(plan.exact_width - 1e-9));
  const double h = std::max(1.0, std::ceil(plan.exact_height - 1e-9));
  if (Status st = check_output_size(w, h, max_pixels, "the rescaled image"); !st.ok()) return st.take_error();
  plan.out_width = static_cast<int>(w);
  plan.out_height = static_cast<int>(h);
  // With one side, every fit keeps the aspect: nothing to cut or pad.
  plan.fit = tw > 0 && th > 0 ? req.fit : Fit::kFill;
  plan.gravity = req.gravity;
  if (Status st = plan_box(plan, tw, th, max_pixels); !st.ok()) return st.take_error();
  return plan;
}

int gegl_box_samples(double scale_x, double scale_y, bool horizontal) {
  const double inv_x = 1.0 / scale_x, inv_y = 1.0 / scale_y;
  // The box filter takes over when either axis shrinks by 2 or more.
  if (inv_x * inv_x < 4.0 && inv_y * inv_y < 4.0) return 1;
  const double inv = horizontal ? inv_x : inv_y;
  return std::clamp(static_cast<int>(std::floor(inv)), 1, kGeglMaxBoxSamples);
}

int gegl_rendered_rows(int in_h, double scale_y, int out_h) {
  // Row Y is skipped when its centre maps below in_h + 1 (the input plus the
  // linear sampler's one-pixel context); no row is when scale_y >= 1/2.
  const double last = std::floor((in_h + 1) * scale_y - 0.5);
  return static_cast<int>(std::clamp(last + 1.0, 0.0, static_cast<double>(out_h)));
}

namespace {

// How much of the last pixel along one axis the whole input covers: below 1
// where a shrunk-on-load JPEG's last row/column holds a partly filled block.
float last_pixel_coverage(double source, int size) {
  return source > 0 && source < size ? static_cast<float>(source - (size - 1)) : 1.0f;
}

// The premultiplied image with its partly covered last row/column faded to
// their coverage, as a full decode's rescale fades them (libvips' one-constant
// `linear` in float).
vips::VImage fade_partial_edges(vips::VImage v, const RescaleGeometry& g) {
  const int w = v.width(), h = v.height();
  if (g.cover_x < 1.0f) v = v.insert(v.extract_area(w - 1, 0, 1, h).linear(g.cover_x, 0.0), w - 1, 0);
  if (g.cover_y < 1.0f) v = v.insert(v.extract_area(0, h - 1, w, 1).linear(g.cover_y, 0.0), 0, h - 1);
  return v;
}

}  // namespace

RescaleGeometry rescale_geometry(const Image& img, const RescalePlan& plan) {
  RescaleGeometry g;
  g.sx = plan.exact_width / (plan.source_width > 0 ? plan.source_width : img.width());
  g.sy = plan.exact_height / (plan.source_height > 0 ? plan.source_height : img.height());
  g.copy = std::abs(g.sx - 1.0) <= 1e-12 && std::abs(g.sy - 1.0) <= 1e-12;
  g.nx = gegl_box_samples(g.sx, g.sy, true);
  g.ny = gegl_box_samples(g.sx, g.sy, false);
  // Only a copy fades: resampled, the shrunk image's last pixel would fade a
  // whole shrunk pixel where a full decode fades less than one of its own.
  if (g.copy) {
    g.cover_x = last_pixel_coverage(plan.source_width, img.width());
    g.cover_y = last_pixel_coverage(plan.source_height, img.height());
  }
  // GEGL sees the whole input: judged at its size, not the shrunk-on-load one.
  g.rendered_rows = gegl_rendered_rows(plan.in_height, plan.exact_height / plan.in_height, plan.out_height);
  return g;
}

vips::VImage resample(const vips::VImage& pixels, const RescaleGeometry& g, const RescalePlan& plan) {
  // Output pixel X samples the input at (X + 0.5) / s - 0.5 in pixel-centre
  // coordinates (libvips: X = s (x + idx) + odx); with box filtering, nx
  // samples spaced 1 / (s nx) around that centre are the pixels of an affine
  // at s nx, averaged nx at a time. Outside the input is black (transparent
  // with premultiplied alpha: GEGL's abyss NONE), so the last partially
  // covered row/column fades out.
  auto opt = vips::VImage::option()
                 ->set("interpolate", vips::VInterpolate::new_from_name("bilinear"))
                 ->set("idx", 0.5)
                 ->set("idy", 0.5)
                 ->set("odx", -0.5)
                 ->set("ody", -0.5)
                 ->set("oarea", std::vector<int>{0, 0, plan.out_width * g.nx, plan.out_height * g.ny})
                 ->set("extend", VIPS_EXTEND_BLACK)
                 ->set("premultiplied", true);
  vips::VImage v = pixels.affine({g.sx * g.nx, 0.0, 0.0, g.sy * g.ny}, opt);
  if (g.nx > 1 || g.ny > 1) v = v.shrink(g.nx, g.ny);
  if (g.rendered_rows == 0) {
    return vips::VImage::black(plan.out_width, plan.out_height, vips::VImage::option()->set("bands", v.bands()))
        .cast(VIPS_FORMAT_FLOAT);
  }
  if (g.rendered_rows < plan.out_height) {
    v = v.extract_area(0, 0, plan.out_width, g.rendered_rows)
            .embed(0, 0, plan.out_width, plan.out_height, vips::VImage::option()->set("extend", VIPS_EXTEND_BLACK));
  }
  return v;
}

Image rescale(const Image& img, const RescalePlan& plan) {
  const RescaleGeometry g = rescale_geometry(img, plan);
  Image linear = convert(img, fmt::kRaGaBaAFloat);
  linear.pixels = fade_partial_edges(linear.pixels, g);
  if (g.copy) return place(linear, Rect{0, 0, plan.out_width, plan.out_height});
  return Image{resample(linear.pixels, g, plan), fmt::kRaGaBaAFloat, 0, 0};
}

}  // namespace imgflo::runtime
