// Encoding results as GIF or WebP: one frame (a still image) or many (an
// animation that keeps its input's frame delays and loop count).
//
// Settings (the universal quality/lossless parameters: output_options.h):
// - GIF: libvips' gifsave (cgif + libimagequant), 8-bit palette per frame,
//   Floyd-Steinberg dithering 1.0, effort 5 of 1..10 (libimagequant's speed;
//   measured with libvips 8.14 the same CPU and size as the default 7 on
//   time.gif x 200 frames and a 1000x1000 photo), alpha as 1-bit transparency.
//   Quality has no effect; lossless is refused before (output_options.h).
// - WebP: lossy, quality 80 unless asked, effort 4 of 0..6 (libwebp's default
//   method: effort 6 is ~1.5x the CPU for ~7 % smaller files on a 2 MP photo),
//   alpha kept; lossless=true: libwebp lossless (pixel-exact), quality unused.
// Metadata is stripped (frame delays and loop are not metadata: they are kept).
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "runtime/image.h"
#include "runtime/output_options.h"

#include <string>
#include <vector>

namespace imgflo::runtime {

enum class FrameFormat { kGif, kWebp };

// Frame timing of an animation, as libvips' loaders report it.
struct FrameTiming {
  std::vector<int> delays_ms;  // one per frame
  int loop = 0;                // 0 = forever
};

// The pixel format frames are written in: R'G'B'A u8 when `image` has alpha,
// R'G'B' u8 otherwise (grey is expanded).
PixelFormat frame_format(const Image& image);

// `image` converted to `target` (R'G'B' or R'G'B'A u8) and tagged sRGB, as
// libvips' savers want it (they convert by interpretation, and op pipelines
// leave whatever their last operation set, a LUT's histogram say). Lazy.
vips::VImage saver_pixels(const Image& image, const PixelFormat& target);

// kProcessingFailed unless `other` has the size of `first` (frames of one
// animation must all have the same size; a graph that gives frames different
// sizes is refused, naming both).
Status check_same_size(const Image& first, const Image& other);

// Encodes `frames` (at least one, all the same size; each converted with
// frame_format, alpha added to all when one has it) as one file. With one
// frame `timing` is ignored and the result is a still image. Evaluation of the
// (lazy) frames honours `stop`. Errors: kProcessingFailed (frames of
// different sizes, encoder failure), the Stop's error.
// `options`: quality and lossless for WebP (already validated, see
// take_output_params); GIF ignores them.
Result<std::string> encode_frames(const std::vector<Image>& frames, FrameFormat format, const FrameTiming& timing,
                                  const Stop& stop, const OutputOptions& options = {});

}  // namespace imgflo::runtime
