#include "http/request_id.h"

#include <algorithm>
#include <random>

namespace imgflo::http {

namespace {

// splitmix64 over a per-thread state seeded from std::random_device: cheap
// (no lock, no syscall after the first id of a thread) and well spread.
uint64_t next_random() {
  thread_local uint64_t state = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

}  // namespace

bool valid_request_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxRequestIdLength && std::all_of(id.begin(), id.end(), id_char);
}

void RequestId::assign(std::string_view received) {
  if (valid_request_id(received)) {
    std::copy(received.begin(), received.end(), buf_);
    len_ = received.size();
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t word = 0; word < kGeneratedRequestIdLength / 16; ++word) {
    uint64_t bits = next_random();
    for (size_t i = 0; i < 16; ++i, bits >>= 4) buf_[word * 16 + i] = kHex[bits & 15];
  }
  len_ = kGeneratedRequestIdLength;
}

}  // namespace imgflo::http
