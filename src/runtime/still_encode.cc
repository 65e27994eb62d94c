#include "runtime/still_encode.h"

#include "runtime/frame_encode.h"
#include "runtime/save_buffer.h"

namespace imgflo::runtime {

using vips::VImage;

namespace {

Result<std::string> encode_avif(const VImage& pixels, const OutputOptions& options, const Stop& stop) {
  return save_to_string(
      pixels, ".heif",
      [&] {
        return VImage::option()
            ->set("compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1)
            ->set("Q", options.lossless ? kMaxQuality : options.quality_or(kAvifQuality))
            ->set("lossless", options.lossless)
            ->set("subsample_mode", options.lossless ? VIPS_FOREIGN_SUBSAMPLE_OFF : VIPS_FOREIGN_SUBSAMPLE_AUTO)
            ->set("effort", kAvifEffort)
            ->set("bitdepth", 8)
            ->set("strip", true);
      },
      stop, "encoding AVIF");
}

Result<std::string> encode_jxl(const VImage& pixels, const OutputOptions& options, const Stop& stop) {
  return save_to_string(
      pixels, ".jxl",
      [&] {
        return VImage::option()
            ->set("Q", options.quality_or(kJxlQuality))
            ->set("lossless", options.lossless)
            ->set("effort", kJxlEffort)
            ->set("strip", true);
      },
      stop, "encoding JPEG XL");
}

}  // namespace

Result<std::string> encode_still(const Image& image, StillFormat format, const OutputOptions& options,
                                 const Stop& stop) {
  try {
    const VImage pixels = saver_pixels(image, frame_format(image));
    return format == StillFormat::kAvif ? encode_avif(pixels, options, stop) : encode_jxl(pixels, options, stop);
  } catch (const vips::VError&) {
    return Error(ErrorKind::kProcessingFailed, "the result could not be converted for encoding");
  }
}

void allow_output_savers() { vips_operation_block_set("VipsForeignSaveJxl", FALSE); }

}  // namespace imgflo::runtime
