// Image comparison as the original's test suite did it (gegl-imgcmp):
// both images must have the same size; per pixel the difference is
// max(CIE dE76 in Lab, |delta alpha| x 100) and a pair passes when the
// maximum over all pixels is <= the tolerance. Differences below 0.1 count as
// identical.
//
// Written independently of the runtime: files are decoded by libvips to
// 8/16-bit samples and converted here (sRGB curve, babl's D50-adapted sRGB to
// XYZ matrix, CIE Lab with the D50 white), so a bug in the runtime's colour
// code cannot hide itself.
#pragma once

#include <string>

namespace imgflo::test {

struct Comparison {
  bool same_size = false;
  int width_a = 0, height_a = 0, width_b = 0, height_b = 0;
  double max_delta = 0;      // over all pixels
  double mean_delta = 0;
  long wrong_pixels = 0;     // pixels with delta >= 0.1
  long over_default = 0;     // pixels with delta > 1.5, the default tolerance

  // Share of all pixels over the default tolerance, in percent.
  double percent_over_default() const;

  bool passes(double tolerance) const { return same_size && max_delta <= tolerance; }
  std::string describe() const;
};

// Compares two encoded images (any format libvips reads). Throws on
// undecodable input (a test failure, not a silent pass).
Comparison compare_images(const std::string& bytes_a, const std::string& bytes_b);
Comparison compare_files(const std::string& path_a, const std::string& path_b);

}  // namespace imgflo::test
