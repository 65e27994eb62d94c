// gegl/c2g's tile kernels (runtime/ops/c2g_kernel.*) against the per-pixel
// walk they replaced, bit for bit: the reference below is the op as it was
// before the packed kernel (one spray point at a time over linear RGBA float
// pixels, libm's fmin/fmax), over the whole image. The server caches c2g's
// output, so a faster kernel must not move a single float. Covered: 8-bit RGB
// (the packed kernel, interior and edge pixels), 8-bit RGBA with transparent
// pixels (the packed kernel's fallback to the walk), samples given up far
// outside a tiny image, and float input with NaN, -0 and out-of-range values
// (the float kernel).
#include "runtime/ops/c2g_kernel.h"
#include "runtime/pixel_convert.h"
#include "support/op_harness.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace imgflo::test {
namespace {

namespace c2g = runtime::ops::c2g;

struct C2gRefParams {
  int radius, samples, iterations;
};

// One sample of the previous op: widens lo/hi by one sprayed pixel with the retry rules.
void c2g_reference_sample(const float* px, int w, int h, int x, int y, const C2gRefParams& p, uint32_t& angle,
                      uint32_t& radius, float lo[3], float hi[3]) {
  const c2g::SprayTables& t = c2g::spray_tables();
  int transparent_left = p.samples;
  for (int outside = 0; outside < c2g::kMaxOutsideTries;) {
    const float r = t.radius[radius] * static_cast<float>(p.radius);
    const float dx = r * t.cos[angle], dy = r * t.sin[angle];
    if (++angle == c2g::kAnglePrime) angle = 0;
    if (++radius == c2g::kRadiusPrime) radius = 0;
    const int u = static_cast<int>(static_cast<float>(x) + dx);
    const int v = static_cast<int>(static_cast<float>(y) + dy);
    if (u < 0 || v < 0 || u >= w || v >= h) {
      ++outside;
      continue;
    }
    const float* q = px + (static_cast<size_t>(v) * w + u) * 4;
    if (q[3] > 0.0f) {
      for (int c = 0; c < 3; ++c) lo[c] = std::fmin(lo[c], q[c]), hi[c] = std::fmax(hi[c], q[c]);
      return;
    }
    if (--transparent_left <= 0) return;
  }
}

// The previous op's grey of (x, y).
float c2g_reference_grey(const float* px, int w, int h, int x, int y, const C2gRefParams& p) {
  const float* pixel = px + (static_cast<size_t>(y) * w + x) * 4;
  const uint64_t start = (static_cast<uint64_t>(y) * w + x) * p.iterations * p.samples;
  uint32_t angle = static_cast<uint32_t>(start % c2g::kAnglePrime);
  uint32_t radius = static_cast<uint32_t>(start % c2g::kRadiusPrime);
  float bsum[3] = {0, 0, 0}, rsum[3] = {0, 0, 0};
  for (int i = 0; i < p.iterations; ++i) {
    float lo[3] = {pixel[0], pixel[1], pixel[2]}, hi[3] = {pixel[0], pixel[1], pixel[2]};
    for (int s = 0; s < p.samples; ++s) c2g_reference_sample(px, w, h, x, y, p, angle, radius, lo, hi);
    for (int c = 0; c < 3; ++c) {
      const float range = hi[c] - lo[c];
      bsum[c] += range > 0.0f ? (pixel[c] - lo[c]) / range : 0.5f;
      rsum[c] += range;
    }
  }
  float to_min = 0, to_max = 0;
  for (int c = 0; c < 3; ++c) {
    const float b = bsum[c] / p.iterations, range = rsum[c] / p.iterations;
    const float min_env = pixel[c] - b * range, max_env = pixel[c] + (1.0f - b) * range;
    to_min += (pixel[c] - min_env) * (pixel[c] - min_env);
    to_max += (pixel[c] - max_env) * (pixel[c] - max_env);
  }
  to_min = std::sqrt(to_min);
  to_max = std::sqrt(to_max);
  const float total = to_min + to_max;
  return total > 0.0f ? to_min / total : 0.5f;
}

std::vector<float> c2g_floats_of(const vips::VImage& img) {
  const vips::VImage mem = img.cast(VIPS_FORMAT_FLOAT).copy_memory();
  const auto* p = static_cast<const float*>(mem.data());
  return std::vector<float>(p, p + static_cast<size_t>(img.width()) * img.height() * img.bands());
}

// The previous op's grey and alpha over the whole image.
std::vector<float> c2g_reference_op(const runtime::Image& input, const C2gRefParams& p) {
  const std::vector<float> px = c2g_floats_of(runtime::convert(input, runtime::fmt::kRGBAFloat).pixels);
  const int w = input.width(), h = input.height();
  std::vector<float> out(static_cast<size_t>(w) * h * 2);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const size_t i = static_cast<size_t>(y) * w + x;
      out[i * 2] = c2g_reference_grey(px.data(), w, h, x, y, p);
      out[i * 2 + 1] = px[i * 4 + 3];
    }
  }
  return out;
}

// Bit patterns (NaN == NaN when the bits agree).
std::vector<uint32_t> c2g_bits_of(const std::vector<float>& v) {
  std::vector<uint32_t> b(v.size());
  std::memcpy(b.data(), v.data(), v.size() * sizeof(float));
  return b;
}

void expect_c2g_same_as_reference(const runtime::Image& input, const C2gRefParams& p) {
  SCOPED_TRACE(std::to_string(input.width()) + "x" + std::to_string(input.height()) + " radius " +
               std::to_string(p.radius) + " samples " + std::to_string(p.samples) + " iterations " +
               std::to_string(p.iterations));
  const runtime::Image out = run_op("gegl/c2g",
                                    {{"radius", std::to_string(p.radius)},
                                     {"samples", std::to_string(p.samples)},
                                     {"iterations", std::to_string(p.iterations)}},
                                    input);
  ASSERT_EQ(out.format, runtime::fmt::kYAFloat);
  const std::vector<float> ours = c2g_floats_of(out.pixels), ref = c2g_reference_op(input, p);
  ASSERT_EQ(ours.size(), ref.size());
  const std::vector<uint32_t> a = c2g_bits_of(ours), b = c2g_bits_of(ref);
  size_t differing = 0, first = a.size();
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) first = std::min(first, i), ++differing;
  }
  EXPECT_EQ(differing, 0u) << "first at float " << first << ": " << ours[first] << " vs " << ref[first];
  // Not a constant grey (a comparison that cannot fail otherwise).
  float lo = ref[0], hi = ref[0];
  for (size_t i = 0; i < ref.size(); i += 2) lo = std::fmin(lo, ref[i]), hi = std::fmax(hi, ref[i]);
  EXPECT_LT(lo, hi);
}

runtime::Image c2g_rgb_crop(int w, int h) {
  return runtime::Image{vips::VImage::new_from_file(example("grid-toastybob.jpg").c_str()).extract_area(5, 9, w, h),
                        runtime::fmt::kRpGpBpU8, 0, 0};
}

TEST(C2gExact, PackedRgbSameAsPreviousOp) {
  expect_c2g_same_as_reference(c2g_rgb_crop(61, 47), {9, 3, 2});
  expect_c2g_same_as_reference(c2g_rgb_crop(203, 151), {20, 4, 10});  // mostly interior pixels
  expect_c2g_same_as_reference(c2g_rgb_crop(97, 83), {300, 4, 10});   // the default radius: every pixel near an edge
}

TEST(C2gExact, PackedRgbaWithTransparencySameAsPreviousOp) {
  // An alpha ramp with transparent stripes: sprayed transparent pixels make
  // the packed kernel fall back to the walk, whose retries move the spray.
  const int w = 131, h = 77;
  const vips::VImage xy = vips::VImage::xyz(w, h);
  vips::VImage alpha = xy.extract_band(0) * (255.0 / w);
  alpha = ((xy.extract_band(1) % 9) < 3).ifthenelse(0.0, alpha);
  const vips::VImage rgba = c2g_rgb_crop(w, h).pixels.bandjoin(alpha.cast(VIPS_FORMAT_UCHAR));
  const runtime::Image in{rgba, runtime::fmt::kRpGpBpAU8, 0, 0};
  expect_c2g_same_as_reference(in, {15, 4, 10});
  expect_c2g_same_as_reference(in, {2, 1, 3});
}

TEST(C2gExact, SamplesGivenUpFarOutsideSameAsPreviousOp) {
  // A 5x3 image with the largest radius: most spray points fall outside and
  // some samples are given up after kMaxOutsideTries misses.
  expect_c2g_same_as_reference(c2g_rgb_crop(5, 3), {6000, 2, 2});
}

TEST(C2gExact, FloatInputSameAsPreviousOp) {
  // Linear RGBA float with NaN, -0, negative and above-one samples and
  // transparent pixels: the float kernel and its inline fmin/fmax.
  const int w = 45, h = 38;
  std::vector<float> px(static_cast<size_t>(w) * h * 4);
  const float special[] = {std::numeric_limits<float>::quiet_NaN(), -0.0f, -0.25f, 1.75f, 0.0f};
  for (size_t i = 0; i < px.size(); ++i) {
    px[i] = static_cast<float>((i * 2654435761u) % 1000) / 999.0f;
    if (i % 37 == 0) px[i] = special[(i / 37) % 5];
  }
  const vips::VImage img =
      vips::VImage::new_from_memory(px.data(), px.size() * sizeof(float), w, h, 4, VIPS_FORMAT_FLOAT).copy_memory();
  expect_c2g_same_as_reference(runtime::Image{img, runtime::fmt::kRGBAFloat, 0, 0}, {7, 4, 10});
}

TEST(C2gExact, DecodeTableCheck) {
  // The packed kernel needs a non-decreasing table of numbers; the service's
  // own table must be one, or the fast kernel would never run.
  EXPECT_TRUE(c2g::decode_table_usable(runtime::srgb_u8_to_linear_table()));
  std::vector<float> t(256);
  for (int b = 0; b < 256; ++b) t[b] = static_cast<float>(b) / 255.0f;
  EXPECT_TRUE(c2g::decode_table_usable(t.data()));
  t[100] = t[99] - 0.001f;
  EXPECT_FALSE(c2g::decode_table_usable(t.data()));
  t[100] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(c2g::decode_table_usable(t.data()));
}

}  // namespace
}  // namespace imgflo::test
