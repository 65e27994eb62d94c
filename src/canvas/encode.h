// Saving the canvas: as node-canvas did for the original's types
// (canvas/SavePNG, canvas/SaveJPEG), with the service's encoders for the rest.
#pragma once

#include "canvas/surface.h"
#include "core/deadline.h"
#include "core/error.h"
#include "runtime/output_options.h"
#include "runtime/runtime.h"

#include <string>

namespace imgflo::canvas {

// node-canvas's JPEG quality (the default of `quality` for canvas graphs).
inline constexpr int kCanvasJpegQuality = 75;

// PNG: 8-bit RGBA, straight alpha (Cairo's PNG writer). Written by libvips
// with compression 9 like every PNG the service produces.
Result<std::string> encode_png(const Surface& s, const Stop& stop);

// JPEG with node-canvas's defaults: quality `quality` (default 75), baseline
// (not progressive), standard Huffman tables, 4:2:0 chroma subsampling; the
// premultiplied colour, i.e. the canvas over black. No metadata.
Result<std::string> encode_jpeg(const Surface& s, const Stop& stop, int quality = kCanvasJpegQuality);

// The canvas as `out_type` (runtime::encoded_output_types(); "jpeg" arrives
// as "jpg"): jpg and png as above, gif/webp/avif/jxl from the straight-alpha
// RGBA canvas with runtime/output_encode.h (alpha kept, GIF's 1-bit).
// `options` were validated by runtime::take_output_params for this type.
Result<runtime::Output> encode_canvas(const Surface& s, const std::string& out_type,
                                      const runtime::OutputOptions& options, const Stop& stop);

}  // namespace imgflo::canvas
