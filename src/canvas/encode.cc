#include "canvas/encode.h"

#include "runtime/codec.h"
#include "runtime/output_encode.h"

namespace imgflo::canvas {

Result<std::string> encode_png(const Surface& s, const Stop& stop) {
  return runtime::encode(s.to_rgba(), runtime::OutputType::kPng, stop);
}

Result<std::string> encode_jpeg(const Surface& s, const Stop& stop, int quality) {
  const runtime::JpegSettings node_canvas{
      .quality = quality, .progressive = false, .optimize_coding = false, .subsample = VIPS_FOREIGN_SUBSAMPLE_ON};
  return runtime::encode_jpeg_pixels(s.to_rgb_over_black().pixels, node_canvas, stop);
}

Result<runtime::Output> encode_canvas(const Surface& s, const std::string& out_type,
                                      const runtime::OutputOptions& options, const Stop& stop) {
  if (out_type != "jpg" && out_type != "jpeg" && out_type != "png") {
    return runtime::encode_output(s.to_rgba(), out_type, options, stop);
  }
  const bool png = out_type == "png";
  auto bytes = png ? encode_png(s, stop) : encode_jpeg(s, stop, options.quality_or(kCanvasJpegQuality));
  if (!bytes.ok()) return bytes.take_error();
  return runtime::Output{std::move(*bytes), png ? "png" : "jpg", png ? "image/png" : "image/jpeg"};
}

}  // namespace imgflo::canvas
