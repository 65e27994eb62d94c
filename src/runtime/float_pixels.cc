#include "runtime/float_pixels.h"

namespace imgflo::runtime {

FloatPixels::FloatPixels(vips::VImage image) : image_(std::move(image)) {
  VipsImage* raw = image_.get_image();
  data_ = reinterpret_cast<float*>(VIPS_IMAGE_ADDR(raw, 0, 0));
  width_ = raw->Xsize;
  height_ = raw->Ysize;
  bands_ = raw->Bands;
}

FloatPixels FloatPixels::create(int width, int height, int bands) {
  VipsImage* raw = vips_image_new_memory();
  vips_image_init_fields(raw, width, height, bands, VIPS_FORMAT_FLOAT, VIPS_CODING_NONE,
                         VIPS_INTERPRETATION_MULTIBAND, 1.0, 1.0);
  vips::VImage owner(raw);  // steals the reference
  if (vips_image_write_prepare(raw)) throw vips::VError();
  return FloatPixels(std::move(owner));
}

Result<FloatPixels> read_float_pixels(const vips::VImage& img, const OpContext& ctx) {
  const vips::VImage as_float = img.format() == VIPS_FORMAT_FLOAT ? img : img.cast(VIPS_FORMAT_FLOAT);
  auto mem = ctx.materialize(as_float);
  if (!mem.ok()) return mem.error();
  return FloatPixels(std::move(*mem));
}

}  // namespace imgflo::runtime
