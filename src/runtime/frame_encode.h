// Encoding results as GIF or WebP: one frame (a still image) or many (an
// animation that keeps its input's frame delays and loop count).
//
// Settings (the next issue adds a quality parameter):
// - GIF: libvips' gifsave (cgif + libimagequant), 8-bit palette per frame,
//   Floyd-Steinberg dithering 1.0, effort 5 of 1..10 (libimagequant's speed;
//   measured with libvips 8.14 the same CPU and size as the default 7 on
//   time.gif x 200 frames and a 1000x1000 photo), alpha as 1-bit transparency.
// - WebP: lossy, quality 80, effort 4 of 0..6 (libwebp's default method),
//   alpha kept.
// Metadata is stripped (frame delays and loop are not metadata: they are kept).
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "runtime/image.h"

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

// kProcessingFailed unless `other` has the size of `first` (frames of one
// animation must all have the same size; a graph that gives frames different
// sizes is refused, naming both).
Status check_same_size(const Image& first, const Image& other);

// Encodes `frames` (at least one, all the same size; each converted with
// frame_format, alpha added to all when one has it) as one file. With one
// frame `timing` is ignored and the result is a still image. Evaluation of the
// (lazy) frames honours `stop`. Errors: kProcessingFailed (frames of
// different sizes, encoder failure), the Stop's error.
Result<std::string> encode_frames(const std::vector<Image>& frames, FrameFormat format, const FrameTiming& timing,
                                  const Stop& stop);

}  // namespace imgflo::runtime
