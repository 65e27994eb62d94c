// Defaults that more than one part's settings share, defined once.
#pragma once

namespace imgflo {

// The original's 422 rule: requested width x height over this many
// megapixels is refused (IMGFLO_SIZE_LIMIT). Checked by the HTTP handler for
// requests and by the processor for chained graph/... inputs.
inline constexpr double kDefaultSizeLimitMegapixels = 25;

}  // namespace imgflo
