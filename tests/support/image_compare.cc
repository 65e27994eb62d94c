#include "support/image_compare.h"

#include "support/paths.h"

#include <vips/vips8>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace imgflo::test {

namespace {

using Lab = std::array<double, 4>;  // L, a, b, alpha

double decode_srgb(double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); }

double lab_f(double t) {
  constexpr double d = 6.0 / 29.0;
  return t > d * d * d ? std::cbrt(t) : t / (3 * d * d) + 4.0 / 29.0;
}

Lab to_lab(double r, double g, double b, double alpha) {
  r = decode_srgb(r);
  g = decode_srgb(g);
  b = decode_srgb(b);
  // sRGB primaries, Bradford-adapted to D50 (babl's "CIE" conversions).
  const double x = 0.4360747 * r + 0.3850649 * g + 0.1430804 * b;
  const double y = 0.2225045 * r + 0.7168786 * g + 0.0606169 * b;
  const double z = 0.0139322 * r + 0.0971045 * g + 0.7141733 * b;
  const double fx = lab_f(x / 0.96420288), fy = lab_f(y), fz = lab_f(z / 0.82490540);
  return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz), alpha};
}

// Decodes to straight RGBA doubles in [0,1], then to Lab.
std::vector<Lab> decode(const std::string& bytes, int& w, int& h) {
  vips::VImage img = vips::VImage::new_from_buffer(bytes.data(), bytes.size(), "");
  if (img.interpretation() == VIPS_INTERPRETATION_CMYK) throw std::runtime_error("CMYK images are not compared");
  const double max = img.format() == VIPS_FORMAT_USHORT ? 65535.0 : 255.0;
  w = img.width();
  h = img.height();
  const int bands = img.bands();
  const std::vector<double> px = [&] {
    vips::VImage d = img.cast(VIPS_FORMAT_DOUBLE);
    size_t size = 0;
    auto* mem = static_cast<double*>(d.write_to_memory(&size));
    std::vector<double> v(mem, mem + size / sizeof(double));
    g_free(mem);
    return v;
  }();
  std::vector<Lab> out(static_cast<size_t>(w) * h);
  for (size_t i = 0; i < out.size(); ++i) {
    const double* p = &px[i * bands];
    const bool grey = bands <= 2;
    const double r = p[0] / max, g = (grey ? p[0] : p[1]) / max, b = (grey ? p[0] : p[2]) / max;
    const bool has_alpha = bands == 2 || bands == 4;
    const double a = has_alpha ? p[bands - 1] / max : 1.0;
    out[i] = to_lab(r, g, b, a);
  }
  return out;
}

}  // namespace

std::string Comparison::describe() const {
  std::ostringstream s;
  if (!same_size) {
    s << "size differs: " << width_a << "x" << height_a << " vs " << width_b << "x" << height_b;
  } else {
    s << "max dE " << max_delta << ", mean dE " << mean_delta << ", " << wrong_pixels << " pixels differ, "
      << percent_over_default() << " % over 1.5";
  }
  return s.str();
}

double Comparison::percent_over_default() const {
  const double pixels = static_cast<double>(width_a) * height_a;
  return pixels > 0 ? 100.0 * static_cast<double>(over_default) / pixels : 0.0;
}

Comparison compare_images(const std::string& a, const std::string& b) {
  Comparison c;
  const std::vector<Lab> la = decode(a, c.width_a, c.height_a);
  const std::vector<Lab> lb = decode(b, c.width_b, c.height_b);
  c.same_size = c.width_a == c.width_b && c.height_a == c.height_b;
  if (!c.same_size) return c;
  double sum = 0;
  for (size_t i = 0; i < la.size(); ++i) {
    const double de = std::sqrt(std::pow(la[i][0] - lb[i][0], 2) + std::pow(la[i][1] - lb[i][1], 2) +
                                std::pow(la[i][2] - lb[i][2], 2));
    const double d = std::max(de, std::abs(la[i][3] - lb[i][3]) * 100.0);
    c.max_delta = std::max(c.max_delta, d);
    sum += d;
    if (d >= 0.1) ++c.wrong_pixels;
    if (d > 1.5) ++c.over_default;
  }
  c.mean_delta = la.empty() ? 0 : sum / static_cast<double>(la.size());
  if (c.max_delta < 0.1) c.max_delta = 0;
  return c;
}

Comparison compare_files(const std::string& pa, const std::string& pb) {
  return compare_images(read_file(pa), read_file(pb));
}

}  // namespace imgflo::test
