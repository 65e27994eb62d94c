// GeglRandom and the babl-style LCh conversion used by gegl/noise-cie-lch.
// (The end-to-end check against GEGL itself is in noise_ops_test.cc.)
#include "runtime/cie_lch.h"
#include "runtime/gegl_random.h"

#include <glib.h>
#include <gtest/gtest.h>

#include <cmath>

namespace imgflo::runtime {
namespace {

TEST(GeglRandom, TableIsGlibGrandSeeded42) {
  GRand* grand = g_rand_new_with_seed(42);
  const uint32_t* table = gegl_random_table();
  int mismatches = 0;
  for (int i = 0; i < kGeglRandomTableSize; ++i) mismatches += table[i] != g_rand_int(grand);
  g_rand_free(grand);
  EXPECT_EQ(mismatches, 0);
}

TEST(GeglRandom, SeedPicksPrimesLikeGegl) {
  // Hand-computed from GEGL's rules and its prime list (index: value):
  // seed 0 -> ids 42, 212, 17 -> 10369, 12041, 10159.
  const GeglRandom zero(0);
  EXPECT_EQ(zero.prime(0), 10369u);
  EXPECT_EQ(zero.prime(1), 12041u);
  EXPECT_EQ(zero.prime(2), 10159u);
  // seed 533^2 + 533 + 5 -> ids 47, 213, 18 -> 10433, 12043, 10163.
  const GeglRandom big(533 * 533 + 533 + 5);
  EXPECT_EQ(big.prime(0), 10433u);
  EXPECT_EQ(big.prime(1), 12043u);
  EXPECT_EQ(big.prime(2), 10163u);
  // seed 170 -> ids 212, 212, 17 collide; id0 steps on to 213 -> 12043, 12041, 10159.
  const GeglRandom clash(170);
  EXPECT_EQ(clash.prime(0), 12043u);
  EXPECT_EQ(clash.prime(1), 12041u);
  EXPECT_EQ(clash.prime(2), 10159u);
}

TEST(GeglRandom, ValueIsXorOfThreeTableWords) {
  const GeglRandom r(0);
  const uint32_t* t = gegl_random_table();
  // x = 3, y = 2, n = 1: idx = 3*103423 + 2*101359*103423 + 1*101111*101359*103423.
  const uint64_t idx = 3ull * 103423 + 2ull * 101359 * 103423 + 101111ull * 101359 * 103423;
  const uint32_t p0 = r.prime(0), p1 = r.prime(1), p2 = r.prime(2);
  EXPECT_EQ(r.integer(3, 2, 1), t[idx % p0] ^ t[p0 + idx % p1] ^ t[p0 + p1 + idx % p2]);
  EXPECT_FLOAT_EQ(r.uniform(3, 2, 1), static_cast<float>((r.integer(3, 2, 1) & 0xffff) / 65535.0));
  // Negative coordinates wrap like GEGL's 64-bit arithmetic instead of failing.
  EXPECT_GE(r.uniform(-5, -7, 3), 0.0f);
  EXPECT_LE(r.uniform(-5, -7, 3), 1.0f);
}

TEST(GeglRandom, UniformCoversTheUnitInterval) {
  const GeglRandom r(12345);
  double sum = 0, lo = 1, hi = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const float v = r.uniform(i % 200, i / 200, 7);
    sum += v;
    lo = std::min<double>(lo, v);
    hi = std::max<double>(hi, v);
  }
  EXPECT_NEAR(sum / n, 0.5, 0.01);
  EXPECT_LT(lo, 0.001);
  EXPECT_GT(hi, 0.999);
}

TEST(CieLch, KnownColours) {
  // Values from the formulas with babl's matrix and D50 white (float path).
  const Lch white = lch_from_linear_rgb(1, 1, 1);
  EXPECT_NEAR(white.l, 100.0, 1e-4);
  EXPECT_EQ(white.c, 0.0f);  // babl's float path gives exactly 0 for white
  const Lch black = lch_from_linear_rgb(0, 0, 0);
  EXPECT_NEAR(black.l, 0.0, 1e-4);
  EXPECT_EQ(black.c, 0.0f);
  const Lch red = lch_from_linear_rgb(1, 0, 0);
  EXPECT_NEAR(red.l, 54.29, 0.01);
  EXPECT_NEAR(red.c, 106.84, 0.01);
  EXPECT_NEAR(red.h, 40.86, 0.01);
  const Lch blue = lch_from_linear_rgb(0, 0, 1);
  EXPECT_NEAR(blue.h, 301.36, 0.05);  // negative atan2 wrapped into [0, 360)
}

TEST(CieLch, RoundTrip) {
  for (float r : {0.0f, 0.02f, 0.3f, 0.9f}) {
    for (float g : {0.0f, 0.5f, 1.0f}) {
      for (float b : {0.01f, 0.7f}) {
        float back[3];
        linear_rgb_from_lch(lch_from_linear_rgb(r, g, b), back);
        EXPECT_NEAR(back[0], r, 1e-4) << r << " " << g << " " << b;
        EXPECT_NEAR(back[1], g, 1e-4);
        EXPECT_NEAR(back[2], b, 1e-4);
      }
    }
  }
}

}  // namespace
}  // namespace imgflo::runtime
