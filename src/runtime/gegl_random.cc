#include "runtime/gegl_random.h"

#include <array>
#include <random>
#include <vector>

namespace imgflo::runtime {

namespace {

constexpr uint64_t kXPrime = 103423;
constexpr uint64_t kYPrime = 101359;
constexpr uint64_t kNPrime = 101111;
constexpr uint32_t kTableSeed = 42;
constexpr uint32_t kFirstPrime = 10007;
constexpr uint32_t kLastPrime = 15101;
constexpr int kPrimeCount = 533;

bool is_prime(uint32_t v) {
  for (uint32_t d = 2; d * d <= v; ++d) {
    if (v % d == 0) return false;
  }
  return v >= 2;
}

// GEGL's prime list: every prime in [10007, 15101] except two it happens to lack.
const std::vector<uint32_t>& seed_primes() {
  static const std::vector<uint32_t> primes = [] {
    std::vector<uint32_t> p;
    for (uint32_t v = kFirstPrime; v <= kLastPrime; ++v) {
      if (is_prime(v) && v != 14669 && v != 14683) p.push_back(v);
    }
    return p;
  }();
  return primes;
}

}  // namespace

const uint32_t* gegl_random_table() {
  static const std::array<uint32_t, kGeglRandomTableSize> table = [] {
    std::array<uint32_t, kGeglRandomTableSize> t{};
    std::mt19937 gen(kTableSeed);
    for (auto& word : t) word = static_cast<uint32_t>(gen());
    return t;
  }();
  return table.data();
}

GeglRandom::GeglRandom(uint32_t seed) {
  const auto& primes = seed_primes();
  const uint32_t n = kPrimeCount;
  uint32_t id0 = (seed % n + 42) % n;
  uint32_t id1 = (seed / n % n + 212) % n;
  const uint32_t id2 = (seed / (n * n) % n + 17) % n;
  while (id0 == id1 || id0 == id2) id0 = (id0 + 1) % n;
  while (id1 == id0 || id1 == id2) id1 = (id1 + 1) % n;
  primes_[0] = primes[id0];
  primes_[1] = primes[id1];
  primes_[2] = primes[id2];
}

uint32_t GeglRandom::integer(int x, int y, int n) const {
  // Signed products wrap in GEGL's 64-bit arithmetic; unsigned wrapping gives the same bits.
  const uint64_t idx = static_cast<uint64_t>(static_cast<int64_t>(x)) * kXPrime +
                       static_cast<uint64_t>(static_cast<int64_t>(y)) * kYPrime * kXPrime +
                       static_cast<uint64_t>(static_cast<int64_t>(n)) * kNPrime * kYPrime * kXPrime;
  const uint32_t* t = gegl_random_table();
  return t[idx % primes_[0]] ^ t[primes_[0] + idx % primes_[1]] ^ t[primes_[0] + primes_[1] + idx % primes_[2]];
}

float GeglRandom::uniform(int x, int y, int n) const {
  constexpr double kScale = 0.00001525902189669642175;  // ~1/65535, GLib's G_RAND_FLOAT_TRANSFORM
  return static_cast<float>((integer(x, y, n) & 0xffffu) * kScale);
}

float GeglRandom::uniform_range(int x, int y, int n, float min, float max) const {
  return uniform(x, y, n) * (max - min) + min;
}

}  // namespace imgflo::runtime
