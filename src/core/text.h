// Small text and graph helpers shared by parsers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo {

// ASCII lower case.
std::string ascii_lower(std::string_view s);
// ASCII lower case without leading/trailing whitespace.
std::string lower_trimmed(std::string_view s);

// True when the directed graph of `count` nodes, with edges from each node to
// the nodes `sources(n)` lists (negative entries ignored), has no cycle.
bool acyclic(size_t count, const std::function<std::vector<int>(int)>& sources);

}  // namespace imgflo
