// GEGL's reproducible random numbers (GeglRandom), re-implemented from the
// algorithm of gegl/gegl-random.c (unchanged from GEGL 0.3.10 to 0.4.42).
//
// A GeglRandom is a pure function of (seed, x, y, n): no state advances, so
// results do not depend on tiling or threads, and the same seed gives the
// same noise for the same pixel position. How it works:
//   * one shared table of 3 x 15101 32-bit words, the first outputs of
//     GLib's GRand seeded with 42 (GRand is MT19937 with the reference
//     init_genrand seeding, so std::mt19937(42) yields the same words);
//   * a seed picks three distinct primes from the 533 primes between 10007
//     and 15101 (all of them except 14669 and 14683, which GEGL's list lacks):
//     id0 = seed mod 533, id1 = (seed / 533) mod 533, id2 = (seed / 533^2)
//     mod 533, shifted by +42, +212, +17 (mod 533), then id0 and id1 are
//     stepped forward until all three differ;
//   * a position hashes to idx = x*XP + y*YP*XP + n*NP*YP*XP (wrapping 64-bit
//     arithmetic; XP = 103423, YP = 101359, NP = 101111) and the value is
//     T[idx mod p0] ^ T[p0 + idx mod p1] ^ T[p0 + p1 + idx mod p2];
//   * floats use the low 16 bits: (v & 0xffff) / 65535, so in [0, 1].
//
// Immutable after construction; safe to use from any number of threads.
#pragma once

#include <cstdint>

namespace imgflo::runtime {

class GeglRandom {
 public:
  explicit GeglRandom(uint32_t seed);

  // gegl_random_int: the raw 32-bit value for (x, y, n) (z is unused by GEGL).
  uint32_t integer(int x, int y, int n) const;
  // gegl_random_float: uniform in [0, 1], 65536 steps.
  float uniform(int x, int y, int n) const;
  // gegl_random_float_range: uniform(x, y, n) * (max - min) + min, in float.
  float uniform_range(int x, int y, int n, float min, float max) const;

  // The three table sizes the seed selected (exposed for tests).
  uint32_t prime(int i) const { return primes_[i]; }

 private:
  uint32_t primes_[3];
};

// The shared table (3 x 15101 words); exposed for tests.
const uint32_t* gegl_random_table();
inline constexpr int kGeglRandomTableSize = 3 * 15101;

}  // namespace imgflo::runtime
