#include "runtime/ops/float_image.h"

#include <cstring>

namespace imgflo::runtime::ops {

FloatPlane plane_of(const vips::VImage& memory_image) {
  VipsImage* im = memory_image.get_image();
  FloatPlane p;
  p.data = reinterpret_cast<float*>(VIPS_IMAGE_ADDR(im, 0, 0));
  p.width = im->Xsize;
  p.height = im->Ysize;
  p.channels = im->Bands;
  p.stride = VIPS_IMAGE_SIZEOF_LINE(im) / sizeof(float);
  return p;
}

Result<FloatImage> new_float_image(int width, int height, int bands, bool zero) {
  VipsImage* out = vips_image_new_memory();
  const VipsInterpretation interp = bands <= 2 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_scRGB;
  vips_image_init_fields(out, width, height, bands, VIPS_FORMAT_FLOAT, VIPS_CODING_NONE, interp, 1.0, 1.0);
  vips::VImage owner(out);  // steals the reference
  if (vips_image_write_prepare(out)) return Error(ErrorKind::kInternal, "cannot allocate an image in memory");
  FloatImage img{owner, plane_of(owner)};
  if (zero) std::memset(img.plane.data, 0, VIPS_IMAGE_SIZEOF_IMAGE(out));
  return img;
}

}  // namespace imgflo::runtime::ops
