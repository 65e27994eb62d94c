// gegl/opacity in one pass gives the bits of its libvips image expression
// (premultiplied RGBA x value, or x (aux Y x value)), on random samples.
#include "runtime/image.h"
#include "support/op_harness.h"
#include "support/pixels.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace imgflo::test {
namespace {

namespace rt = runtime;

std::vector<float> random_samples(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(-0.1f, 1.1f);
  std::vector<float> v(n);
  for (auto& s : v) s = unit(rng);
  return v;
}

TEST(OpacityKernel, ValueAndMaskAreBitIdenticalToTheImageExpression) {
  const int w = 97, h = 31;
  const rt::Image input = image_from(random_samples(static_cast<size_t>(w) * h * 4, 1), w, h, rt::fmt::kRGBAFloat);
  const rt::Image aux = image_from(random_samples(static_cast<size_t>(w) * h * 3, 2), w, h, rt::fmt::kRGBFloat);
  const vips::VImage premultiplied = rt::convert(input, rt::fmt::kRaGaBaAFloat).pixels;
  const vips::VImage mask = rt::convert(aux, rt::fmt::kYFloat).pixels;
  for (double value : {0.7, -2.5, 0.5}) {
    const rt::Image plain = run_op("gegl/opacity", {{"value", std::to_string(value)}}, input);
    EXPECT_EQ(raw_bytes(plain.pixels), raw_bytes(premultiplied * premultiplied.extract_band(0).new_from_image(value)))
        << value;
    const rt::Image masked = run_op("gegl/opacity", {{"value", std::to_string(value)}}, input, &aux);
    EXPECT_EQ(raw_bytes(masked.pixels), raw_bytes(premultiplied * (mask * value))) << value;
    EXPECT_EQ(masked.format, rt::fmt::kRaGaBaAFloat);
  }
}

}  // namespace
}  // namespace imgflo::test
