#include "runtime/output_encode.h"

#include "core/mime.h"
#include "runtime/frame_encode.h"
#include "runtime/still_encode.h"

namespace imgflo::runtime {

namespace {

Result<std::string> encode_bytes(const Image& image, const std::string& out_type, const OutputOptions& options,
                                 const Stop& stop) {
  if (out_type == "jpg" || out_type == "jpeg") {
    return encode(image, OutputType::kJpeg, stop, options.quality_or(kJpegQuality), options.jpeg_baseline_above);
  }
  if (out_type == "png") return encode(image, OutputType::kPng, stop);
  if (out_type == "gif") return encode_frames({image}, FrameFormat::kGif, {}, stop, options);
  if (out_type == "webp") return encode_frames({image}, FrameFormat::kWebp, {}, stop, options);
  if (out_type == "avif") return encode_still(image, StillFormat::kAvif, options, stop);
  if (out_type == "jxl") return encode_still(image, StillFormat::kJxl, options, stop);
  return check_output_type(out_type, encoded_output_types()).take_error();
}

}  // namespace

const std::vector<std::string>& encoded_output_types() {
  static const std::vector<std::string> types = {"jpg", "jpeg", "png", "gif", "webp", "avif", "jxl"};
  return types;
}

Result<Output> encode_output(const Image& image, const std::string& out_type, const OutputOptions& options,
                             const Stop& stop) {
  auto bytes = encode_bytes(image, out_type, options, stop);
  if (!bytes.ok()) return bytes.take_error();
  const std::string ext = out_type == "jpeg" ? "jpg" : out_type;
  return Output{std::move(*bytes), ext, std::string(content_type_for(ext))};
}

}  // namespace imgflo::runtime
