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

RowReader region_rows(const vips::VImage& img) {
  return [img](int y, int n, const std::function<void(const FloatPlane&)>& use) {
    VipsRegion* raw = vips_region_new(img.get_image());
    if (!raw) return false;
    const vips::VRegion region(raw);  // unrefs on return
    VipsRect rect{0, y, img.width(), n};
    if (vips_region_prepare(raw, &rect)) return false;
    FloatPlane view;
    view.data = reinterpret_cast<float*>(VIPS_REGION_ADDR(raw, 0, y));
    view.width = img.width();
    view.height = n;
    view.channels = img.bands();
    view.stride = VIPS_REGION_LSKIP(raw) / sizeof(float);
    use(view);
    return true;
  };
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
