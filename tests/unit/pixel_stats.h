// Per-pixel statistics for comparing an op with GEGL where a single max dE
// says too little (random ops, rare tie-breaking differences).
//
// Both images are decoded by libvips and scaled to 8-bit levels (16-bit PNGs
// from GEGL keep their precision: 65535 -> 255.0). Grey images are compared
// band for band with grey images only.
#pragma once

#include <vips/vips8>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace imgflo::test {

struct DecodedLevels {
  int width = 0, height = 0, bands = 0;
  std::vector<double> v;  // interleaved, 0..255
  double at(int x, int y, int band) const { return v[(static_cast<size_t>(y) * width + x) * bands + band]; }
};

inline DecodedLevels decode_levels(const std::string& bytes) {
  vips::VImage img = vips::VImage::new_from_buffer(bytes.data(), bytes.size(), "");
  const double scale = img.format() == VIPS_FORMAT_USHORT ? 255.0 / 65535.0 : 1.0;
  vips::VImage d = (img.cast(VIPS_FORMAT_DOUBLE) * scale).copy_memory();
  DecodedLevels out{d.width(), d.height(), d.bands(), {}};
  const auto* p = static_cast<const double*>(d.data());
  out.v.assign(p, p + static_cast<size_t>(d.width()) * d.height() * d.bands());
  return out;
}

// For each pixel, the largest absolute band difference in 8-bit levels over
// the bands both images have (RGB vs RGBA compares R, G, B).
inline std::vector<double> level_differences(const std::string& a, const std::string& b) {
  const DecodedLevels la = decode_levels(a), lb = decode_levels(b);
  if (la.width != lb.width || la.height != lb.height || (la.bands >= 3) != (lb.bands >= 3)) {
    throw std::runtime_error("images differ in size or colour model");
  }
  const int bands = std::min(la.bands, lb.bands);
  std::vector<double> out(static_cast<size_t>(la.width) * la.height, 0.0);
  for (size_t i = 0; i < out.size(); ++i) {
    for (int c = 0; c < bands; ++c) {
      out[i] = std::max(out[i], std::abs(la.v[i * la.bands + c] - lb.v[i * lb.bands + c]));
    }
  }
  return out;
}

inline double fraction_over(const std::vector<double>& diffs, double threshold) {
  const auto n = std::count_if(diffs.begin(), diffs.end(), [&](double d) { return d > threshold; });
  return diffs.empty() ? 0.0 : static_cast<double>(n) / static_cast<double>(diffs.size());
}

inline double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

}  // namespace imgflo::test
