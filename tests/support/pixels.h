// Pixel-level helpers for op and graph tests.
//
//   Pixels p = decode_pixels(bytes);            // any libvips-readable image, 8 bits per sample
//   std::string out = run_graph("retro", input, {{"preset", "indie"}});
//   FloatPixels f = run_op_samples("gegl/gradient-map", image, {{"srgb", "true"}});
//
// Decoding uses libvips directly (not the runtime's codec), so a bug in the
// runtime's decoder cannot hide itself in both the input and the expectation
// (PNG inputs decode identically either way).
#pragma once

#include "runtime/catalogue.h"
#include "runtime/codec.h"
#include "runtime/image.h"
#include "runtime/program.h"

#include <cstdint>
#include <string>
#include <vector>

namespace imgflo::test {

struct Pixels {
  int width = 0, height = 0, bands = 0;
  std::vector<uint8_t> data;  // band-interleaved rows
  int at(int x, int y, int band) const { return data[(static_cast<size_t>(y) * width + x) * bands + band]; }
};

struct FloatPixels {
  int width = 0, height = 0, bands = 0;
  runtime::PixelFormat format;
  std::vector<float> data;
  float at(int x, int y, int band) const { return data[(static_cast<size_t>(y) * width + x) * bands + band]; }
};

// Throws std::runtime_error when libvips cannot read the bytes.
Pixels decode_pixels(const std::string& bytes);

// `img` encoded as PNG with libvips' defaults (8 or 16 bits as the image is).
std::string png_bytes(const vips::VImage& img);

// The computed pixels of `img` as stored (band-interleaved, its band format),
// for bit-for-bit comparisons.
std::vector<unsigned char> raw_bytes(const vips::VImage& img);

// Runs graphs/NAME.json|fbp from the repository's graph folder as the service
// would (decode, optional width/height rescale, graph, encode). Throws with
// the Error's message on failure.
std::string run_graph(const std::string& name, const std::string& input_bytes, const request::Params& params,
                      const std::string& out_type = "png", const runtime::DecodeLimits& limits = {});

// An in-memory image of `format` (band count must match) from samples.
runtime::Image image_from(const std::vector<float>& samples, int width, int height, runtime::PixelFormat format);
runtime::Image image_from(const std::vector<uint8_t>& samples, int width, int height, runtime::PixelFormat format);

// Runs one built-in op on `input` with string property values (request
// rules) and returns its result computed to float samples in the op's
// output format (u8 results are returned as 0..255 values).
FloatPixels run_op_samples(const std::string& component, const runtime::Image& input, const request::Params& props);

// The catalogue of the repository's graphs/ with the built-in runtimes (loaded once).
const runtime::Catalogue& bundled_catalogue();

}  // namespace imgflo::test
