// gegl/c2g: colour to grey by Kolås' STRESS envelopes ("color2gray"),
// computed in linear "RGBA float", output "YA float" with the input's alpha;
// extent and origin unchanged (GEGL overrides the area filter's growth).
//
// For every pixel p: `iterations` times, spray `samples` points around it
// (angle from a golden-angle table, distance radius * u^2 with u uniform in
// [0, 1), so samples gather near the centre) and take per-channel min and
// max over p and the sprayed pixels. A sample outside the image is replaced
// by the next spray point (GEGL retries without limit; we give up a sample
// after 4 x 29537 misses, which only tiny images with huge radii reach); a
// fully transparent one likewise, at most `samples` times per sample. Per
// channel, with range = max - min and relative brightness
// rb = (p - min) / range (0.5 when range = 0), the means over the
// iterations give envelopes
//   min_env = p - rb * range,   max_env = p + (1 - rb) * range,
// and grey = |p - min_env| / (|p - min_env| + |p - max_env|) (Euclidean over
// R, G, B; 0.5 when both are 0).
//
// Determinism (a deliberate difference from GEGL): GEGL fills its radius
// table from an unseeded GRand and walks global spray counters shared by all
// threads, so every run differs. Here the tables are built once from a fixed
// seed and pixel (x, y) starts its walk at (y * width + x) * iterations *
// samples, where a single-threaded GEGL scan without retries would be. The
// output is a pure function of the input and the properties (the server
// caches results), with the same statistics as GEGL's.
// GEGL 0.3.10 semantics kept: the numerator is the distance to the minimum
// envelope (0.4.x's default switched to the distance to black, its
// "enhance-shadows" property restores this one). GEGL 0.3.10's radial gamma
// is fixed at 2 (its `rgamma` property is commented out), so it is no
// property here either.
//
// GEGL 0.3.10 defaults: radius 300 (2..6000), samples 4 (1..1000),
// iterations 10 (1..1000).
//
// Computed lazily per output tile (runtime/ops/tiled.h): a sprayed pixel lies
// at most `radius` pixels from p on either axis, so a tile reads its input
// grown by radius + 1 (the 1 a margin against float rounding of positions),
// clipped to the image (samples outside it are never read).
//
// Speed: the spray's reads are scattered over the whole radius, so the cost
// is memory latency. 8-bit sRGB inputs (the usual case) are read packed, 4
// bytes a pixel (a quarter of the float window), with min/max on the code
// values (the decoding to linear float is monotonic, so the decoded extremes
// are the extremes of the decoded values); each pixel's spray offsets are
// computed and prefetched one pixel ahead. Other inputs walk float pixels.
// Both kernels (runtime/ops/c2g_kernel.*) give the same grey, bit for bit.
#include "runtime/ops/c2g_kernel.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/tiled.h"
#include "runtime/pixel_convert.h"

namespace imgflo::runtime::ops {

namespace {

// True when the packed 8-bit kernel takes `img` with these parameters.
bool c2g_takes_packed(const Image& img, const c2g::Params& p) {
  const bool u8_srgb = img.format == fmt::kRpGpBpU8 || img.format == fmt::kRpGpBpAU8;
  return u8_srgb && img.pixels.format() == VIPS_FORMAT_UCHAR && img.pixels.bands() == img.format.bands() &&
         int64_t{p.samples} * p.iterations <= c2g::kMaxPackedSprays &&
         int64_t{img.width()} * img.height() < (int64_t{1} << 31) &&
         c2g::decode_table_usable(srgb_u8_to_linear_table());
}

// The four bytes of each pixel (alpha 255 added when there is none) as one float band.
vips::VImage c2g_packed_pixels(const Image& img) {
  const vips::VImage rgba = img.pixels.bands() == 3 ? img.pixels.bandjoin_const({255}) : img.pixels;
  return rgba.copy(vips::VImage::option()->set("bands", 1)->set("format", VIPS_FORMAT_FLOAT));
}

class C2g final : public SpecOp {
 public:
  C2g()
      : SpecOp({"gegl/c2g",
                "Color to grayscale conversion, uses envelopes formed with the STRESS approach to perform local "
                "color-difference preserving grayscale generation.",
                {"input"},
                {PropSpec::integer("radius",
                                   "Neighborhood taken into account, this is the radius in pixels taken into account "
                                   "when deciding which colors map to which gray values",
                                   300, 2, 6000),
                 PropSpec::integer("samples", "Number of samples to do per iteration looking for the range of colors",
                                   4, 1, 1000),
                 PropSpec::integer("iterations",
                                   "Number of iterations, a higher number of iterations provides less noisy results "
                                   "at a computational cost",
                                   10, 1, 1000)}}) {}

  Result<Image> run(const OpInputs& in, const PropertyValues& props, const OpContext& ctx) const override {
    if (!in.input) return Error(ErrorKind::kGraphInvalid, "gegl/c2g has no input");
    const c2g::Params p{static_cast<int>(props.integer("radius")), static_cast<int>(props.integer("samples")),
                        static_cast<int>(props.integer("iterations"))};
    const Image src = convert(*in.input, fmt::kRGBAFloat);
    const int reach = p.radius + 1;
    TiledSpec spec{.width = src.width(),
                   .height = src.height(),
                   .bands = 2,
                   .reach = {reach, reach, reach, reach},
                   .zero_outside = false};
    if (!c2g_takes_packed(*in.input, p)) {
      auto out = tiled_image(src.pixels, spec, ctx.stop(), c2g::float_tiles(p));
      if (!out.ok()) return out.take_error();
      return Image{*out, fmt::kYAFloat, src.x, src.y};
    }
    spec.bands = 1;
    auto grey = tiled_image(c2g_packed_pixels(*in.input), spec, ctx.stop(),
                            c2g::packed_tiles(p, srgb_u8_to_linear_table()));
    if (!grey.ok()) return grey.take_error();
    // convert()'s alpha, which is 1 when the input has none.
    if (!in.input->format.has_alpha()) return Image{grey->bandjoin_const({1.0}), fmt::kYAFloat, src.x, src.y};
    return Image{grey->bandjoin(src.pixels.extract_band(3)), fmt::kYAFloat, src.x, src.y};
  }
};

}  // namespace

std::unique_ptr<Op> make_c2g() { return std::make_unique<C2g>(); }

}  // namespace imgflo::runtime::ops
