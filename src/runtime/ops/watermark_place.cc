// imgflo/watermark-place: the aux image (a watermark) scaled, positioned
// and faded on the input's extent, ready to be composited over the input
// (the watermark graph: this -> svg/src-over aux). GEGL has no such op: its
// scale/translate ops cannot read another image's size. (`opacity` is here
// rather than a gegl/opacity node because that op's value range is -10..10,
// and a watermark's is 0..1.)
//
//   width  = max(1, round(scale * input width)); height keeps aux's aspect
//   x, y   = by `position` (gravity): west/east edges `margin` pixels in from
//            the input's left/right, north/south from its top/bottom,
//            centred on the other axes
//   opacity  multiplies the (premultiplied) watermark, 0..1
//
// The input's pixels are never read (only its extent). The result has the
// input's extent, transparent where the watermark is not ("RaGaBaA float":
// aux is resampled premultiplied in linear light, Lanczos 3, so edges of a
// watermark with alpha do not darken; ringing is clamped to valid
// premultiplied values). A watermark larger than the input is clipped.
// Without aux the result is fully transparent.
#include "runtime/ops/ops.h"

#include <algorithm>
#include <cmath>

namespace imgflo::runtime::ops {

namespace {

// Gravity names, as the universal `gravity` parameter spells them.
const std::vector<std::string> kPositions = {"centre",    "north", "northeast", "east",     "southeast",
                                             "south",     "southwest", "west",  "northwest"};
constexpr int64_t kSoutheast = 4;

// Horizontal / vertical alignment of a position: -1 start (west/north), 0 centre, 1 end.
struct Alignment {
  int x = 0, y = 0;
};

Alignment alignment(const std::string& position) {
  Alignment a;
  if (position.find("west") != std::string::npos) a.x = -1;
  if (position.find("east") != std::string::npos) a.x = 1;
  if (position.starts_with("north")) a.y = -1;
  if (position.starts_with("south")) a.y = 1;
  return a;
}

// Offset of a `size` long span inside `room` for an alignment.
int64_t offset(int align, int64_t room, int64_t size, int64_t margin) {
  if (align < 0) return margin;
  if (align > 0) return room - size - margin;
  return (room - size) / 2;
}

// Premultiplied colour clamped to [0, alpha], alpha to [0, 1].
vips::VImage clamp_premultiplied(const vips::VImage& rgba) {
  vips::VImage alpha = rgba.extract_band(3);
  alpha = (alpha < 0.0).ifthenelse(0.0, alpha);
  alpha = (alpha > 1.0).ifthenelse(1.0, alpha);
  vips::VImage colour = rgba.extract_band(0, vips::VImage::option()->set("n", 3));
  colour = (colour < 0.0).ifthenelse(0.0, colour);
  colour = (colour > alpha).ifthenelse(alpha, colour);
  return colour.bandjoin(alpha);
}

class WatermarkPlace final : public SpecOp {
 public:
  WatermarkPlace()
      : SpecOp(streaming({"imgflo/watermark-place",
                          "Scales aux to a fraction of the input's width and places it on the input's extent",
                          {"input", "aux"},
                          {PropSpec::enumeration("position", "Where the watermark goes (gravity)", kPositions,
                                                 kSoutheast),
                           PropSpec::integer("margin", "Distance in pixels from the edges the position names", 10,
                                             0, 10000),
                           PropSpec::number("scale", "Watermark width as a fraction of the input's width", 0.25,
                                            0.01, 1.0),
                           PropSpec::number("opacity", "Watermark opacity", 1.0, 0.0, 1.0)}})) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& p, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "imgflo/watermark-place has no input");
    const Rect area = in.input->extent();
    const Image empty{vips::VImage::black(area.width, area.height, vips::VImage::option()->set("bands", 4))
                          .cast(VIPS_FORMAT_FLOAT),
                      fmt::kRaGaBaAFloat, area.x, area.y};
    if (!in.aux || area.empty()) return empty;
    const Image mark = convert(*in.aux, fmt::kRaGaBaAFloat);
    const int64_t width = std::max<int64_t>(1, std::llround(p.number("scale") * area.width));
    const int64_t height =
        std::max<int64_t>(1, std::llround(static_cast<double>(mark.height()) * width / mark.width()));
    if (auto e = ctx.check_size(width, height)) return *e;

    const vips::VImage scaled =
        mark.pixels.resize(static_cast<double>(width) / mark.width(),
                           vips::VImage::option()->set("vscale", static_cast<double>(height) / mark.height()));
    const Alignment a = alignment(kPositions[p.enum_index("position")]);
    const int64_t margin = p.integer("margin");
    const Image layer{clamp_premultiplied(scaled) * p.number("opacity"), fmt::kRaGaBaAFloat,
                      static_cast<int>(area.x + offset(a.x, area.width, width, margin)),
                      static_cast<int>(area.y + offset(a.y, area.height, height, margin))};
    return place(layer, area);
  }
};

}  // namespace

std::unique_ptr<Op> make_watermark_place() { return std::make_unique<WatermarkPlace>(); }

}  // namespace imgflo::runtime::ops
