#include "canvas/encode.h"

#include "runtime/codec.h"
#include "runtime/vips_eval.h"

namespace imgflo::canvas {

namespace {

constexpr int kJpegQuality = 75;

}  // namespace

Result<std::string> encode_png(const Surface& s, const Stop& stop) {
  return runtime::encode(s.to_rgba(), runtime::OutputType::kPng, stop);
}

Result<std::string> encode_jpeg(const Surface& s, const Stop& stop) {
  const vips::VImage rgb = s.to_rgb_over_black().pixels;
  void* buf = nullptr;
  size_t len = 0;
  Status st = runtime::evaluate(rgb, stop, "encoding JPEG", [&] {
    rgb.write_to_buffer(".jpg", &buf, &len,
                        vips::VImage::option()
                            ->set("Q", kJpegQuality)
                            ->set("interlace", false)
                            ->set("optimize_coding", false)
                            ->set("subsample_mode", VIPS_FOREIGN_SUBSAMPLE_ON)
                            ->set("strip", true));
  });
  if (!st.ok()) return st.take_error();
  std::string bytes(static_cast<const char*>(buf), len);
  g_free(buf);
  return bytes;
}

}  // namespace imgflo::canvas
