// Our dE76 comparison (tests/support/image_compare) cross-checked against
// Debian's gegl-imgcmp, the tool the original's test suite used.
#include "support/image_compare.h"
#include "support/paths.h"

#include <gtest/gtest.h>
#include <vips/vips8>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>

namespace imgflo::test {
namespace {

// gegl-imgcmp's "max ?e : X" (0 when it reports the images identical). The tool
// writes a difference image next to its second argument (B-diff.png), so B is
// compared from a copy in `scratch`, never where it lives (the repository).
double gegl_max_delta(const std::string& a, const std::string& b, const std::filesystem::path& scratch) {
  const auto copy = scratch / ("b-" + std::filesystem::path(b).filename().string());
  std::filesystem::copy_file(b, copy, std::filesystem::copy_options::overwrite_existing);
  const std::string cmd = "gegl-imgcmp '" + a + "' '" + copy.string() + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  std::array<char, 512> buf{};
  while (fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  std::smatch m;
  if (std::regex_search(out, m, std::regex("max .e\\s*:\\s*([0-9.]+)"))) return std::stod(m[1]);
  if (out.find("are identical") != std::string::npos) return 0;
  throw std::runtime_error("unexpected gegl-imgcmp output: " + out);
}

void save(const vips::VImage& img, const std::string& path) { img.write_to_file(path.c_str()); }

TEST(ImageCompare, AgreesWithGeglImgcmp) {
  const auto dir = scratch_dir("imgcmp");
  const std::string ref = reference("crop_all_options.reference.png").string();
  const vips::VImage base = vips::VImage::new_from_file(ref.c_str());
  // Pairs with known, different maximum errors.
  save(base, (dir / "same.png").string());
  save((base + 5).cast(VIPS_FORMAT_UCHAR), (dir / "plus5.png").string());
  save((base * vips::VImage::new_matrixv(1, 1, 1.0) * std::vector<double>{1.0, 0.9, 1.1}).cast(VIPS_FORMAT_UCHAR),
       (dir / "tinted.png").string());
  const vips::VImage with_alpha = base.bandjoin_const({200});
  save(base.bandjoin_const({255}), (dir / "opaque.png").string());
  save(with_alpha, (dir / "alpha.png").string());
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {dir / "same.png", ref}, {dir / "plus5.png", ref}, {dir / "tinted.png", ref},
      {dir / "alpha.png", dir / "opaque.png"}, {reference("gaussian.reference.png"), example("mountains.png")}};
  for (const auto& [a, b] : pairs) {
    const double ours = compare_files(a, b).max_delta;
    const double gegl = gegl_max_delta(a, b, dir);
    // gegl-imgcmp prints 3 decimals; babl's Lab differs from ours in float rounding only.
    EXPECT_NEAR(ours, gegl, 0.02) << a << " vs " << b;
  }
  EXPECT_EQ(compare_files(dir / "same.png", ref).max_delta, 0.0);
  EXPECT_NEAR(compare_files(dir / "alpha.png", dir / "opaque.png").max_delta, 100.0 * 55 / 255, 0.01);
}

TEST(ImageCompare, SizeMismatchFails) {
  const Comparison c = compare_files(reference("crop_all_options.reference.png"), example("gridbear.jpg"));
  EXPECT_FALSE(c.same_size);
  EXPECT_FALSE(c.passes(1000));
}

}  // namespace
}  // namespace imgflo::test
