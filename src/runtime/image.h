// The image value that flows between ops, and babl-like format conversion.
//
// GEGL ops each ask for the pixel format they compute in ("RGBA float",
// "R'aG'aB'aA float", "YA float", ...) and babl converts between them; the
// result an op produces keeps its format, which later decides e.g. the PNG
// colour type. We mirror that: an Image is a lazy vips::VImage plus the
// PixelFormat its bands are in, plus the GEGL extent origin (filters can grow
// the bounding box to negative coordinates; composers take the union).
//
// Invariant: pixels has format.bands() bands of the band format matching
// format.depth (uchar, ushort or float). Conversions are lazy vips pipelines.
// Images are immutable values: cheap to copy, safe to share between threads.
#pragma once

#include <vips/vips8>

#include <string>

namespace imgflo::runtime {

enum class Model { kY, kYA, kRGB, kRGBA };
enum class Trc { kLinear, kPerceptual };
enum class Depth { kU8, kU16, kFloat };

struct PixelFormat {
  Model model = Model::kRGBA;
  Trc trc = Trc::kLinear;
  bool premultiplied = false;
  Depth depth = Depth::kFloat;

  bool has_alpha() const { return model == Model::kYA || model == Model::kRGBA; }
  bool is_grey() const { return model == Model::kY || model == Model::kYA; }
  int colour_bands() const { return is_grey() ? 1 : 3; }
  int bands() const { return colour_bands() + (has_alpha() ? 1 : 0); }
  // babl-style name, e.g. "R'aG'aB'aA float"; for logs and test messages.
  std::string name() const;
  bool operator==(const PixelFormat&) const = default;
};

// Common formats, named like babl's.
namespace fmt {
inline constexpr PixelFormat kRGBAFloat{Model::kRGBA, Trc::kLinear, false, Depth::kFloat};
inline constexpr PixelFormat kRaGaBaAFloat{Model::kRGBA, Trc::kLinear, true, Depth::kFloat};
inline constexpr PixelFormat kRGBFloat{Model::kRGB, Trc::kLinear, false, Depth::kFloat};
inline constexpr PixelFormat kRpGpBpAFloat{Model::kRGBA, Trc::kPerceptual, false, Depth::kFloat};
inline constexpr PixelFormat kRpaGpaBpaAFloat{Model::kRGBA, Trc::kPerceptual, true, Depth::kFloat};
inline constexpr PixelFormat kRpGpBpFloat{Model::kRGB, Trc::kPerceptual, false, Depth::kFloat};
inline constexpr PixelFormat kYFloat{Model::kY, Trc::kLinear, false, Depth::kFloat};
inline constexpr PixelFormat kYAFloat{Model::kYA, Trc::kLinear, false, Depth::kFloat};
inline constexpr PixelFormat kYaAFloat{Model::kYA, Trc::kLinear, true, Depth::kFloat};
inline constexpr PixelFormat kRpGpBpU8{Model::kRGB, Trc::kPerceptual, false, Depth::kU8};
inline constexpr PixelFormat kRpGpBpAU8{Model::kRGBA, Trc::kPerceptual, false, Depth::kU8};
}  // namespace fmt

struct Rect {
  int x = 0, y = 0, width = 0, height = 0;
  bool empty() const { return width <= 0 || height <= 0; }
  Rect united(const Rect& o) const;
  bool operator==(const Rect&) const = default;
};

struct Image {
  vips::VImage pixels;
  PixelFormat format;
  int x = 0;  // GEGL coordinates of the top-left pixel
  int y = 0;

  int width() const { return pixels.width(); }
  int height() const { return pixels.height(); }
  Rect extent() const { return Rect{x, y, width(), height()}; }
};

// Same pixels in another format (babl semantics): integer <-> float scaling,
// sRGB TRC, RGB <-> Y with babl's D50 luminance weights
// (Y = 0.2224879 R + 0.7169038 G + 0.0606083 B, on linear values), adding alpha 1,
// dropping alpha (after un-premultiplying), premultiplication. Float values
// are not clamped; conversion to an integer depth clamps and rounds.
Image convert(const Image& src, PixelFormat target);

// Same format, new format tag with alpha if it had none (alpha = 1).
PixelFormat with_alpha(PixelFormat f);

// The image placed on `area` (GEGL coordinates); pixels outside the source
// are transparent black (or black without alpha). `area` may be smaller.
Image place(const Image& src, const Rect& area);

// Band helpers for op code (VImage::bandjoin traps are easy to fall into).
vips::VImage colour_bands(const Image& img);
vips::VImage alpha_band(const Image& img);  // constant 1 when the format has no alpha
vips::VImage join_bands(const vips::VImage& colour, const vips::VImage& alpha);

// Per-channel sRGB encode/decode on float images (exact formula, no clamping).
vips::VImage srgb_encode(const vips::VImage& linear);
vips::VImage srgb_decode(const vips::VImage& perceptual);

}  // namespace imgflo::runtime
