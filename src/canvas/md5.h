// MD5 of a byte string as 32 lower-case hex digits (what noflo-md5's
// md5/CalculateHash sent: the hash of the string's UTF-8 bytes).
#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace imgflo::canvas {

// kInternal only if OpenSSL cannot compute MD5 (e.g. a FIPS-only build).
Result<std::string> md5_hex(std::string_view bytes);

}  // namespace imgflo::canvas
