// Hash helpers (OpenSSL): lowercase hex digests, HMAC, constant-time compare.
#pragma once

#include <string>
#include <string_view>

namespace imgflo {

std::string sha1_hex(std::string_view data);
std::string md5_hex(std::string_view data);
std::string sha256_hex(std::string_view data);
// Raw (binary) HMAC-SHA256 and its hex form.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
std::string to_hex(std::string_view bytes);

// Compares without leaking where the first difference is (lengths may leak).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace imgflo
