// Accept headers browsers send for <img> (current releases, checked against
// their documentation; Firefox's before 128 is kept: it is still common).
// Shared by the negotiation unit and e2e tests.
#pragma once

#include <string>

namespace imgflo::test {

inline const std::string kChromeAccept = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
inline const std::string kSafariAccept =
    "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;"
    "q=0.8,*/*;q=0.5";
inline const std::string kFirefoxAccept = "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5";
inline const std::string kFirefoxOldAccept = "image/avif,image/webp,*/*";

}  // namespace imgflo::test
