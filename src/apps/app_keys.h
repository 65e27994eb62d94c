// App keys and secrets in the original's format: 15 lowercase hex characters
// (60 bits), drawn from OpenSSL's CSPRNG.
#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace imgflo::apps {

constexpr size_t kAppKeyLength = 15;

// A fresh key or secret; kInternal when the CSPRNG fails (never a weak value).
Result<std::string> new_app_token();

// True for exactly 15 lowercase hex characters.
bool is_app_token(std::string_view s);

}  // namespace imgflo::apps
