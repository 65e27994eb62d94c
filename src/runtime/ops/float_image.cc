#include "runtime/ops/float_image.h"

#include <cstdlib>
#include <cstring>

#include <sys/mman.h>

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
  // Our own allocation, 2 MiB aligned and marked for transparent huge pages:
  // a 4-megapixel RGB float image is 48 MB, and touching it 4 KiB page by
  // page costs more than some of the ops writing it.
  constexpr size_t kHugePage = size_t{2} << 20;
  const size_t bytes = static_cast<size_t>(width) * height * bands * sizeof(float);
  const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* data = std::aligned_alloc(kHugePage, rounded);
  if (!data) return Error(ErrorKind::kInternal, "cannot allocate an image in memory");
#ifdef MADV_HUGEPAGE
  madvise(data, rounded, MADV_HUGEPAGE);
#endif
  if (zero) std::memset(data, 0, bytes);
  vips::VImage image;
  try {
    image = vips::VImage::new_from_memory_steal(data, bytes, width, height, bands, VIPS_FORMAT_FLOAT);
  } catch (const vips::VError&) {
    std::free(data);
    return Error(ErrorKind::kInternal, "cannot wrap an image in memory");
  }
  image.get_image()->Type = bands <= 2 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_scRGB;
  return FloatImage{image, plane_of(image)};
}

}  // namespace imgflo::runtime::ops
