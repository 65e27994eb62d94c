// Saving the canvas as node-canvas did (canvas/SavePNG, canvas/SaveJPEG).
#pragma once

#include "canvas/surface.h"
#include "core/deadline.h"
#include "core/error.h"

#include <string>

namespace imgflo::canvas {

// PNG: 8-bit RGBA, straight alpha (Cairo's PNG writer). Written by libvips
// with compression 9 like every PNG the service produces.
Result<std::string> encode_png(const Surface& s, const Stop& stop);

// JPEG with node-canvas's defaults: quality 75, baseline (not progressive),
// standard Huffman tables, 4:2:0 chroma subsampling; the premultiplied
// colour, i.e. the canvas over black. No metadata.
Result<std::string> encode_jpeg(const Surface& s, const Stop& stop);

}  // namespace imgflo::canvas
