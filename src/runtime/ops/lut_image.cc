#include "runtime/ops/lut_image.h"

#include <cassert>

namespace imgflo::runtime::ops {

namespace {

vips::VImage copy_to_image(const void* data, size_t bytes, int width, int bands, VipsBandFormat format) {
  VipsImage* img = vips_image_new_from_memory_copy(data, bytes, width, 1, bands, format);
  if (!img) throw vips::VError();
  return vips::VImage(img);  // steals the reference
}

}  // namespace

vips::VImage lut_image(const std::vector<float>& values, int bands) {
  assert(bands > 0 && values.size() % static_cast<size_t>(bands) == 0);
  const int width = static_cast<int>(values.size()) / bands;
  return copy_to_image(values.data(), values.size() * sizeof(float), width, bands, VIPS_FORMAT_FLOAT);
}

vips::VImage lut_image(const std::vector<uint8_t>& values, int bands) {
  assert(bands > 0 && values.size() % static_cast<size_t>(bands) == 0);
  const int width = static_cast<int>(values.size()) / bands;
  return copy_to_image(values.data(), values.size(), width, bands, VIPS_FORMAT_UCHAR);
}

}  // namespace imgflo::runtime::ops
