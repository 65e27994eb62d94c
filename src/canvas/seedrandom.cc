#include "canvas/seedrandom.h"

#include "canvas/text.h"

#include <cmath>
#include <vector>

namespace imgflo::canvas {

namespace {

constexpr uint64_t kSignificance = uint64_t{1} << 52;  // 52 significant bits
constexpr uint64_t kOverflow = uint64_t{1} << 53;
constexpr int kChunks = 6;                             // bytes in the first numerator
constexpr int kDrop = 256;                             // RC4-drop[256]

// The key "mixing" of seedrandom's mixkey(): at most 256 bytes.
std::vector<uint8_t> mix_key(std::string_view seed) {
  std::vector<uint8_t> key;
  unsigned smear = 0;
  size_t j = 0;
  for (uint16_t unit : utf16_units(seed)) {
    const size_t k = j & 0xFF;
    if (key.size() <= k) key.resize(k + 1, 0);
    smear ^= key[k] * 19u;
    key[k] = static_cast<uint8_t>((smear + unit) & 0xFF);
    ++j;
  }
  return key;
}

}  // namespace

SeedRandom::SeedRandom(std::string_view seed) {
  std::vector<uint8_t> key = mix_key(seed);
  if (key.empty()) key.push_back(0);
  for (int k = 0; k < 256; ++k) s_[k] = static_cast<uint8_t>(k);
  uint8_t j = 0;
  for (int k = 0; k < 256; ++k) {
    j = static_cast<uint8_t>(j + key[k % key.size()] + s_[k]);
    std::swap(s_[k], s_[j]);
  }
  for (int k = 0; k < kDrop; ++k) byte();
}

uint8_t SeedRandom::byte() {
  i_ = static_cast<uint8_t>(i_ + 1);
  const uint8_t t = s_[i_];
  j_ = static_cast<uint8_t>(j_ + t);
  s_[i_] = s_[j_];
  s_[j_] = t;
  return s_[static_cast<uint8_t>(s_[i_] + t)];
}

uint64_t SeedRandom::bytes(int count) {
  uint64_t r = 0;
  while (count-- > 0) r = (r << 8) | byte();
  return r;
}

double SeedRandom::next() {
  uint64_t n = bytes(kChunks);
  int denominator_bits = 8 * kChunks;
  uint64_t x = 0;
  while (n < kSignificance) {  // fill up all significant digits
    n = (n + x) << 8;
    denominator_bits += 8;
    x = byte();
  }
  while (n >= kOverflow) {  // shift back to exactly 53 bits, without rounding up
    n >>= 1;
    x >>= 1;
    --denominator_bits;
  }
  return std::ldexp(static_cast<double>(n + x), -denominator_bits);
}

}  // namespace imgflo::canvas
