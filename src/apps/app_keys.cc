#include "apps/app_keys.h"

#include <openssl/rand.h>

#include <array>

namespace imgflo::apps {

Result<std::string> new_app_token() {
  std::array<unsigned char, (kAppKeyLength + 1) / 2> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Error(ErrorKind::kInternal, "the random number generator failed");
  }
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  out.resize(kAppKeyLength);
  return out;
}

bool is_app_token(std::string_view s) {
  if (s.size() != kAppKeyLength) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace imgflo::apps
