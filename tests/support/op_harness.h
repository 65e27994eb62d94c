// Running our ops and graph files directly on decoded images, so tests can
// compare results with GEGL at 16 bits per channel (the service's own PNG
// output is 8-bit, whose rounding alone can reach dE ~0.8).
//
//   Image in = decode_file(example("gridbear.jpg"));
//   Image out = run_op("gegl/rotate-on-center", {{"degrees", "30"}}, in);
//   compare_images(encode_png16(out), run_gegl(...));
//
// Every function throws std::runtime_error on failure (a test failure, not a
// silent pass).
#pragma once

#include "runtime/image.h"
#include "runtime/program.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace imgflo::test {

// Property name -> value, converted with the request-string rules.
using OpProps = std::vector<std::pair<std::string, std::string>>;

// Decodes an image file with the runtime's decoder (GEGL loader formats).
runtime::Image decode_file(const std::filesystem::path& path);

// Runs the built-in op `component` once, without deadline or size limit.
runtime::Image run_op(const std::string& component, const OpProps& props, const runtime::Image& input,
                      const runtime::Image* aux = nullptr);

// Compiles a graph file (.json or .fbp) and runs it on `input` with request
// parameters `params`; returns the image the service would encode.
runtime::Image run_graph_file(const std::filesystem::path& graph, const runtime::Image& input,
                              const request::Params& params);

// 16-bit PNG of `img` in its own model (Y', Y'A, R'G'B', R'G'B'A; u16,
// straight alpha), like GEGL's png-save default.
std::string encode_png16(const runtime::Image& img);

}  // namespace imgflo::test
