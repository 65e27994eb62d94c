// Low-quality image placeholders: what a page shows while the real image
// loads. From one input image, decoded like every graph's input (allow-listed
// loaders, pixel limits, upright, sRGB: codec.h):
//   - blurhash: BlurHash of the image (blurhash.h), x by y components;
//   - dominant: the mean colour of its largest colour cluster (dominant_colour.h);
//   - width, height: the image's size as an imgflo graph would output it for
//     the same universal resize parameters (rescale.h: plan_rescale's output
//     size), else the upright input's size;
//   - lqip: the image as a WebP at most kLqipSide pixels on its longest side
//     (frame_encode.h settings; alpha kept when the input has it).
//
// Cost: the input is decoded with shrink-on-load towards a working copy of at
// most kPlaceholderWorkSide pixels on its longest side (JPEG DCT scaling up to
// 1/8, WebP scaling, SVG drawn small), resized in linear light with alpha
// premultiplied, and held in memory (64 x 64 floats); everything else works
// on that copy. BlurHash and the dominant colour see transparent pixels over
// white (neither carries alpha).
//
// Thread-safe; blocks on libvips work (call from a worker thread).
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "runtime/dominant_colour.h"
#include "runtime/loaders.h"
#include "runtime/rescale.h"

#include <string>
#include <string_view>

namespace imgflo::runtime {

inline constexpr int kPlaceholderWorkSide = 64;
inline constexpr int kLqipSide = 32;

struct PlaceholderRequest {
  int x_components = 4;
  int y_components = 3;
  RescaleRequest rescale;  // only decides the reported width/height
};

struct Placeholder {
  std::string blurhash;
  Rgb8 dominant;
  int width = 0;
  int height = 0;
  std::string lqip_webp;  // the WebP file's bytes
};

// Errors: those of probe()/decode() (kUndecodable, kTooLarge), plan_rescale's
// kTooLarge for a resize over the pixel limit, kUndecodable for data that
// fails while its pixels are decoded, the Stop's error.
Result<Placeholder> make_placeholder(std::string_view input, const PlaceholderRequest& request,
                                     const DecodeLimits& limits, const Stop& stop);

// {"blurhash", "dominant": "#rrggbb", "width", "height",
//  "lqip": "data:image/webp;base64,..."} as compact JSON text.
std::string placeholder_json(const Placeholder& p);

}  // namespace imgflo::runtime
