#include "core/text.h"

#include <algorithm>
#include <cctype>

namespace imgflo {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return ascii_lower(s);
}

bool acyclic(size_t count, const std::function<std::vector<int>(int)>& sources) {
  enum { kWhite, kGrey, kBlack };
  std::vector<int> colour(count, kWhite);
  std::function<bool(int)> visit = [&](int n) {
    colour[n] = kGrey;
    for (int s : sources(n)) {
      if (s < 0) continue;
      if (colour[s] == kGrey) return false;
      if (colour[s] == kWhite && !visit(s)) return false;
    }
    colour[n] = kBlack;
    return true;
  };
  for (size_t i = 0; i < count; ++i) {
    if (colour[i] == kWhite && !visit(static_cast<int>(i))) return false;
  }
  return true;
}

}  // namespace imgflo
