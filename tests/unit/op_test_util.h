// Helpers for comparing single ops and small graphs with GEGL 0.4.42 at
// 16 bits per sample (the service's own encoder writes 8-bit files, whose
// rounding alone costs up to ~1 dE and would hide real differences).
//
//   const Comparison c = compare16(graph_text, input_png, gegl_chain, dir);
//
// runs the graph (.fbp text or FBP JSON) on `input` through the runtime library (decode,
// Program::run, no rescale), writes the result as a 16-bit PNG in its own
// model (GEGL's png-save does the same), runs `gegl INPUT -o OUT -- CHAIN`
// and compares the two files with compare_visible().
#pragma once

#include "support/op_harness.h"

#include "graph/graph.h"
#include "runtime/codec.h"
#include "runtime/program.h"
#include "runtime/registry.h"
#include "support/image_compare.h"
#include "support/oracle.h"
#include "support/paths.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <unistd.h>
#include <string>

namespace imgflo::test {

// Test inputs, written once into a scratch folder: PNGs, so that both sides
// decode identical pixels.
struct TestInputs {
  std::filesystem::path opaque;  // gridbear.jpg's pixels, 150 x 150
  std::filesystem::path large;   // grid-toastybob.jpg's pixels, 768 x 1024
  std::filesystem::path alpha;   // mountains at 360 x 250 with an alpha ramp and a transparent hole
  std::filesystem::path grey;    // the same mountains in grey, no alpha
};

// Removes a folder when the test process ends.
struct FolderCleanup {
  std::filesystem::path dir;
  ~FolderCleanup() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

inline const TestInputs& test_inputs() {
  // One folder per process: ctest runs test processes in parallel.
  static const std::filesystem::path dir = scratch_dir("op-test-inputs");
  static const FolderCleanup cleanup{dir};
  static const TestInputs in = [] {
    TestInputs i{dir / "opaque.png", dir / "large.png", dir / "alpha.png", dir / "grey.png"};
    vips::VImage::new_from_file(example("gridbear.jpg").c_str()).pngsave(i.opaque.c_str());
    vips::VImage::new_from_file(example("grid-toastybob.jpg").c_str()).pngsave(i.large.c_str());
    const vips::VImage rgb = vips::VImage::new_from_file(example("mountains.png").c_str()).resize(0.25);
    const vips::VImage xy = vips::VImage::xyz(rgb.width(), rgb.height());
    vips::VImage alpha = (xy.extract_band(0) * (255.0 / rgb.width()));
    alpha = ((xy.extract_band(0) > 40) & (xy.extract_band(0) < 100) & (xy.extract_band(1) > 60) &
             (xy.extract_band(1) < 120))
                .ifthenelse(0.0, alpha);
    rgb.bandjoin(alpha.cast(VIPS_FORMAT_UCHAR)).pngsave(i.alpha.c_str());
    rgb.colourspace(VIPS_INTERPRETATION_B_W).pngsave(i.grey.c_str());
    return i;
  }();
  return in;
}

// The graph's output Image for `input` (an image file), with `params`.
// `graph_text` is FBP JSON when it starts with '{', .fbp text otherwise.
inline runtime::Image run_graph_image(const std::string& graph_text, const std::filesystem::path& input,
                                      const request::Params& params = {}) {
  const bool json = graph_text.find_first_not_of(" \n\t") != std::string::npos &&
                    graph_text[graph_text.find_first_not_of(" \n\t")] == '{';
  auto g = json ? graph::parse_json_graph(graph_text, "test.json") : graph::parse_fbp_graph(graph_text, "test.fbp");
  if (!g.ok()) throw std::runtime_error(g.error().message());
  auto program = runtime::Program::compile(*g, runtime::builtin_registry());
  if (!program.ok()) throw std::runtime_error(program.error().message());
  const std::string bytes = read_file(input);
  auto img = runtime::decode(bytes);
  if (!img.ok()) throw std::runtime_error(img.error().message());
  auto out = (*program)->run(&*img, params, Stop{}, 400'000'000);
  if (!out.ok()) throw std::runtime_error(out.error().message());
  return *out;
}


// Like compare_images, but images with alpha are compared as their alpha
// (|delta| x 100, as gegl-imgcmp weighs it) and their colour flattened onto
// mid grey: the colour of (nearly) transparent pixels is not defined. GEGL
// 0.4.42's babl keeps colour under zero alpha (its "alpha floor"); babl in
// GEGL 0.3.10 and our runtime make it black, which would otherwise show as
// dE ~100 on pixels nobody can see.
inline Comparison compare_visible(const std::string& a, const std::string& b) {
  const vips::VImage va = vips::VImage::new_from_buffer(a, ""), vb = vips::VImage::new_from_buffer(b, "");
  if (!va.has_alpha() || !vb.has_alpha() || va.width() != vb.width() || va.height() != vb.height()) {
    return compare_images(a, b);
  }
  auto flat = [](const vips::VImage& v) {
    const double grey = v.format() == VIPS_FORMAT_USHORT ? 32768.0 : 128.0;
    void* buf = nullptr;
    size_t len = 0;
    v.flatten(vips::VImage::option()->set("background", std::vector<double>{grey}))
        .cast(v.format())
        .write_to_buffer(".png", &buf, &len);
    std::string bytes(static_cast<const char*>(buf), len);
    g_free(buf);
    return bytes;
  };
  Comparison c = compare_images(flat(va), flat(vb));
  const auto alpha = [](const vips::VImage& v) {
    return v.extract_band(v.bands() - 1).cast(VIPS_FORMAT_DOUBLE) / (v.format() == VIPS_FORMAT_USHORT ? 65535 : 255);
  };
  c.max_delta = std::max(c.max_delta, (alpha(va) - alpha(vb)).abs().max() * 100);
  return c;
}

inline Comparison compare16(const std::string& graph_text, const std::filesystem::path& input, const std::string& chain,
                            const std::filesystem::path& scratch, const request::Params& params = {}) {
  const std::string ours = encode_png16(run_graph_image(graph_text, input, params));
  write_file(scratch / "ours.png", ours);  // kept for inspection next to GEGL's gegl-N.png
  return compare_visible(ours, run_gegl(input, chain, scratch));
}

}  // namespace imgflo::test
