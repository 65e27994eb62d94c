// The seeded PRNG of the npm `seedrandom` package, version 2.3.x (what
// noflo-seedrandom used), reproduced number for number.
//
// Algorithm (David Bau's seedrandom 2.3): the seed string's UTF-16 code units
// are "mixed" into a key of at most 256 bytes (key[j mod 256] =
// (smear ^= key[j mod 256] * 19) + unit, all mod 256); an ARC4 cipher is keyed
// with it (an empty key acts as [0]) and its first 256 output bytes are
// discarded. Each double takes 6 bytes (48 bits) as numerator over 2^48, then
// appends bytes until the numerator has at least 52 significant bits, and
// shifts right until it has exactly 52 (plus the last byte's high bits): the
// result is exact, uniform in [0, 1) with every mantissa bit random.
// Reference: SeedRandom("hello.").next() == 0.9282578795792454.
//
// Not thread-safe (a generator has state); cheap to construct per use.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace imgflo::canvas {

class SeedRandom {
 public:
  // `seed` is UTF-8; it is keyed by its UTF-16 code units, as JavaScript does.
  explicit SeedRandom(std::string_view seed);

  // The next double in [0, 1).
  double next();

 private:
  uint8_t byte();                  // one ARC4 output
  uint64_t bytes(int count);       // `count` outputs, big-endian concatenated

  std::array<uint8_t, 256> s_{};
  uint8_t i_ = 0;
  uint8_t j_ = 0;
};

}  // namespace imgflo::canvas
