#include "core/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace imgflo {

namespace {

// With the legacy handles (EVP_sha1() …) OpenSSL 3 looks the implementation up on
// every EVP_Digest call; an algorithm fetched once is kept for the process's life
// (thread-safe: a function-local static). Halves the cost of a cache key's SHA-1.
const EVP_MD* fetched(const char* name, const EVP_MD* fallback) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  return md ? md : fallback;
}

const EVP_MD* sha1() {
  static const EVP_MD* md = fetched("SHA1", EVP_sha1());
  return md;
}
const EVP_MD* md5() {
  static const EVP_MD* md = fetched("MD5", EVP_md5());
  return md;
}
const EVP_MD* sha256() {
  static const EVP_MD* md = fetched("SHA256", EVP_sha256());
  return md;
}

std::string digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

std::string to_hex(std::string_view bytes) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

std::string sha1_hex(std::string_view data) { return to_hex(digest(sha1(), data)); }
std::string md5_hex(std::string_view data) { return to_hex(digest(md5(), data)); }
std::string sha256_hex(std::string_view data) { return to_hex(digest(sha256(), data)); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) { return to_hex(hmac_sha256(key, data)); }

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace imgflo
