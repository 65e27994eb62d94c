#include "support/pixels.h"
#include "app/runtimes.h"

#include "support/op_harness.h"

#include "runtime/catalogue.h"
#include "runtime/registry.h"
#include "support/paths.h"

#include <stdexcept>

namespace imgflo::test {

namespace rt = runtime;
using vips::VImage;

namespace {


template <typename T>
std::vector<T> samples_of(const VImage& img) {
  size_t size = 0;
  void* mem = img.write_to_memory(&size);
  std::vector<T> out(static_cast<const T*>(mem), static_cast<const T*>(mem) + size / sizeof(T));
  g_free(mem);
  return out;
}

VImage memory_image(const void* data, size_t bytes, int width, int height, int bands, VipsBandFormat format) {
  VipsImage* img = vips_image_new_from_memory_copy(data, bytes, width, height, bands, format);
  if (!img) throw std::runtime_error("vips_image_new_from_memory_copy failed");
  return VImage(img);
}

void check_bands(size_t samples, int width, int height, rt::PixelFormat format) {
  if (samples != static_cast<size_t>(width) * height * format.bands()) {
    throw std::invalid_argument("image_from: sample count does not match " + format.name());
  }
}

}  // namespace

const rt::Catalogue& bundled_catalogue() {
  static auto cat = [] {
    auto c = rt::Catalogue::load(graph_dir(), app::builtin_runtimes());
    if (!c.ok()) throw std::runtime_error(c.error().message());
    return std::move(*c);
  }();
  return *cat;
}

std::string png_bytes(const vips::VImage& img) {
  void* buf = nullptr;
  size_t len = 0;
  img.write_to_buffer(".png", &buf, &len);
  std::string out(static_cast<const char*>(buf), len);
  g_free(buf);
  return out;
}

Pixels decode_pixels(const std::string& bytes) {
  VImage img = VImage::new_from_buffer(bytes.data(), bytes.size(), "");
  if (img.format() == VIPS_FORMAT_USHORT) img = (img / 257.0 + 0.5);
  img = img.cast(VIPS_FORMAT_UCHAR);
  return Pixels{img.width(), img.height(), img.bands(), samples_of<uint8_t>(img)};
}

std::string run_graph(const std::string& name, const std::string& input_bytes, const request::Params& params,
                      const std::string& out_type, const rt::DecodeLimits& limits) {
  auto entry = bundled_catalogue().find(name);
  if (!entry.ok()) throw std::runtime_error(entry.error().message());
  rt::RunRequest req;
  req.out_type = out_type;
  req.input = input_bytes;
  req.params = params;
  req.limits = limits;
  auto out = (*entry)->executable->run(req);
  if (!out.ok()) throw std::runtime_error(out.error().message());
  return out->bytes;
}

std::vector<unsigned char> raw_bytes(const VImage& img) {
  size_t size = 0;
  void* mem = img.write_to_memory(&size);
  std::vector<unsigned char> out(static_cast<unsigned char*>(mem), static_cast<unsigned char*>(mem) + size);
  g_free(mem);
  return out;
}

rt::Image image_from(const std::vector<float>& samples, int width, int height, rt::PixelFormat format) {
  check_bands(samples.size(), width, height, format);
  return rt::Image{memory_image(samples.data(), samples.size() * sizeof(float), width, height, format.bands(),
                                VIPS_FORMAT_FLOAT),
                   format, 0, 0};
}

rt::Image image_from(const std::vector<uint8_t>& samples, int width, int height, rt::PixelFormat format) {
  check_bands(samples.size(), width, height, format);
  return rt::Image{memory_image(samples.data(), samples.size(), width, height, format.bands(), VIPS_FORMAT_UCHAR),
                   format, 0, 0};
}

FloatPixels run_op_samples(const std::string& component, const rt::Image& input, const request::Params& props) {
  const rt::Image out = run_op(component, props, input);
  const VImage f = out.pixels.cast(VIPS_FORMAT_FLOAT);
  return FloatPixels{f.width(), f.height(), f.bands(), out.format, samples_of<float>(f)};
}

}  // namespace imgflo::test
