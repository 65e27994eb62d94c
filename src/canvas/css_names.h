// The CSS Color Module level 3 keywords ("extended colour keywords").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace imgflo::canvas {

// 0xRRGGBB for a lower-case keyword, nullopt when it is not one.
std::optional<uint32_t> css_named_color(std::string_view lower_name);

}  // namespace imgflo::canvas
