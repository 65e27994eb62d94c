// The fast path for matrix/TRC profiles (runtime/matrix_to_srgb.h): exact
// sRGB rounding (SrgbLevels), which profiles take it, agreement with libvips'
// icc_transform on every 8-bit colour and on the tagged photos of the corpus,
// alpha, and hostile profiles that must fall back without failing.
#include "runtime/colour_management.h"
#include "runtime/matrix_to_srgb.h"
#include "runtime/srgb_levels.h"
#include "support/input_corpus.h"
#include "support/paths.h"

#include "core/color.h"

#include <gtest/gtest.h>
#include <lcms2.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace imgflo::test {
namespace {

namespace rt = runtime;
using vips::VImage;

// ---- SrgbLevels -----------------------------------------------------------

// The definition, in double precision: round half up of 255 x srgb(v), v
// clipped to [0, 1].
int formula_level(float v) {
  const double clipped = std::clamp(static_cast<double>(v), 0.0, 1.0);
  return static_cast<int>(std::floor(linear_to_srgb(clipped) * 255.0 + 0.5));
}

// Every float within 8 steps of each level boundary and of each bucket edge:
// the only places a table lookup can go wrong.
TEST(SrgbLevels, ExactAroundEveryBoundaryAndBucketEdge) {
  const rt::SrgbLevels* levels = rt::SrgbLevels::instance();
  ASSERT_NE(levels, nullptr);
  std::vector<float> centres;
  for (int k = 1; k < 256; ++k) centres.push_back(static_cast<float>(srgb_to_linear((k - 0.5) / 255.0)));
  for (int i = 0; i < rt::SrgbLevels::kBuckets; ++i) centres.push_back(static_cast<float>(i / rt::SrgbLevels::kScale));
  long checked = 0, wrong = 0;
  for (float c : centres) {
    float v = c;
    for (int s = 0; s < 8; ++s) v = std::nextafter(v, -1.0f);
    for (int s = 0; s < 17; ++s, v = std::nextafter(v, 2.0f)) {
      ++checked;
      if ((*levels)(v) != formula_level(v)) ++wrong;
    }
  }
  EXPECT_EQ(wrong, 0) << "of " << checked;
}

// A dense sweep and out-of-range values against the formula.
TEST(SrgbLevels, SweepMatchesTheFormula) {
  const rt::SrgbLevels& levels = *rt::SrgbLevels::instance();
  EXPECT_EQ(levels(-1.0f), 0);
  EXPECT_EQ(levels(-0.0f), 0);
  EXPECT_EQ(levels(1.0f), 255);
  EXPECT_EQ(levels(7.5f), 255);
  EXPECT_EQ(levels(std::numeric_limits<float>::infinity()), 255);
  long wrong = 0;
  for (int i = 0; i < 1 << 20; ++i) {
    const auto v = static_cast<float>((i + 0.37) / (1 << 20));
    if (levels(v) != formula_level(v)) ++wrong;
  }
  EXPECT_EQ(wrong, 0);
}

// ---- Which profiles take the fast path ------------------------------------

std::string profile_bytes(const std::string& name) { return read_file(corpus::profile(name)); }

bool fast(const std::string& bytes) { return rt::MatrixToSrgb::from_profile(bytes.data(), bytes.size()).has_value(); }

// colord's RGB profiles: all matrix/TRC, gamma or parametric curves, D50 PCS.
const std::vector<std::string> kMatrixProfiles = {
    "AdobeRGB1998", "ProPhotoRGB", "WideGamutRGB",  "AppleRGB",      "BestRGB",     "BetaRGB",
    "BruceRGB",     "CIE-RGB",     "ColorMatchRGB", "DonRGB4",       "ECI-RGBv1",   "ECI-RGBv2",
    "EktaSpacePS5", "NTSC-RGB",    "PAL-RGB",       "SMPTE-C-RGB",   "Rec709",      "Bluish",
    "Gamma5000K",   "SwappedRedAndGreen", "LStar-RGB", "compatibleWithAdobeRGB1998"};

TEST(MatrixToSrgbProfiles, MatrixProfilesTakeTheFastPath) {
  for (const std::string& name : kMatrixProfiles) EXPECT_TRUE(fast(profile_bytes(name))) << name;
}

TEST(MatrixToSrgbProfiles, OthersDoNot) {
  for (const char* name : {"Gray", "Crayons", "x11-colors", "CineLogCurve", "ITULab"})
    EXPECT_FALSE(fast(profile_bytes(name))) << name;
  VipsBlob* cmyk = nullptr;
  ASSERT_EQ(vips_profile_load("cmyk", &cmyk, nullptr), 0);
  size_t length = 0;
  const auto* data = static_cast<const char*>(vips_blob_get(cmyk, &length));
  EXPECT_FALSE(fast(std::string(data, length))) << "libvips' CMYK profile";
  vips_area_unref(reinterpret_cast<VipsArea*>(cmyk));
  std::string truncated = profile_bytes("AdobeRGB1998");
  truncated.resize(300);
  EXPECT_FALSE(fast(truncated));
  EXPECT_FALSE(fast(std::string(3000, '\x5A')));
  EXPECT_FALSE(rt::MatrixToSrgb::from_profile(nullptr, 0).has_value());
}

// ---- Agreement with libvips' icc_transform --------------------------------

VImage tagged_with(VImage image, const std::string& icc) {
  image = image.copy();
  vips_image_set_blob_copy(image.get_image(), VIPS_META_ICC_NAME, icc.data(), icc.size());
  return image;
}

// Every 8-bit RGB colour once (4096 x 4096), or every `step`-th level per
// channel (with 255) in a smaller cube.
VImage colour_cube(int step = 1) {
  const int levels = (255 + step - 1) / step + 1;  // 0, step, 2 step, ..., 255
  const int side = levels * static_cast<int>(std::ceil(std::sqrt(levels)));
  const VImage xy = VImage::xyz(side, side);
  const VImage x = xy.extract_band(0), y = xy.extract_band(1);
  const int per_row = side / levels;
  const VImage r = x % levels, g = y % levels, b = (x / levels) + (y / levels) * per_row;
  const VImage b_in_cube = (b >= levels).ifthenelse(levels - 1, b);  // cells beyond the cube repeat the last
  VImage cube = VImage::bandjoin(std::vector<VImage>{r, g, b_in_cube}) * step;
  cube = (cube > 255).ifthenelse(255, cube).cast(VIPS_FORMAT_UCHAR);
  cube = cube.copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
  return cube.copy_memory();
}

VImage vips_transform(const VImage& tagged) {
  return tagged.icc_transform("srgb", VImage::option()
                                          ->set("embedded", true)
                                          ->set("intent", VIPS_INTENT_RELATIVE)
                                          ->set("depth", 8));
}

struct Agreement {
  double max_difference = 0;     // levels
  double differing_share = 0;    // of all samples
};

Agreement agreement(const VImage& a, const VImage& b) {
  const VImage diff = (a.cast(VIPS_FORMAT_INT) - b.cast(VIPS_FORMAT_INT)).abs();
  return {diff.max(), (diff > 0).avg() / 255.0};
}

void expect_agreement(const std::string& name, const VImage& tagged) {
  const std::string icc = profile_bytes(name);
  const auto conversion = rt::MatrixToSrgb::from_profile(icc.data(), icc.size());
  ASSERT_TRUE(conversion.has_value()) << name;
  const Agreement a = agreement(conversion->apply(tagged), vips_transform(tagged));
  EXPECT_LE(a.max_difference, 1.0) << name;
  EXPECT_LT(a.differing_share, 0.05) << name;
  std::cout << name << ": max difference " << a.max_difference << " level, " << a.differing_share * 100
            << " % of samples differ by one\n";
}

TEST(MatrixToSrgbAgreement, EveryColourOfAdobeRgb) {
  expect_agreement("AdobeRGB1998", tagged_with(colour_cube(), profile_bytes("AdobeRGB1998")));
}

TEST(MatrixToSrgbAgreement, ManyColoursOfEveryMatrixProfile) {
  const VImage cube = colour_cube(3);
  for (const std::string& name : kMatrixProfiles) expect_agreement(name, tagged_with(cube, profile_bytes(name)));
}

// The corpus photos (made with vips icc_transform from the sRGB truth), as
// decoded, through to_srgb: the fast path is what to_srgb uses, and it agrees.
TEST(MatrixToSrgbAgreement, TaggedPhotosThroughToSrgb) {
  for (const char* name : {"AdobeRGB1998", "ProPhotoRGB", "WideGamutRGB"}) {
    for (const char* ext : {"jpg", "png"}) {
      const VImage decoded = VImage::new_from_file(corpus::tagged(name, ext).c_str()).copy_memory();
      const std::string icc = profile_bytes(name);
      const VImage ours = rt::to_srgb(decoded, rt::ColourManagement::kIcc);
      const VImage direct = rt::MatrixToSrgb::from_profile(icc.data(), icc.size())->apply(decoded);
      EXPECT_EQ(agreement(ours, direct).max_difference, 0.0) << name << " " << ext << ": to_srgb took another path";
      EXPECT_EQ(ours.get_typeof(VIPS_META_ICC_NAME), 0) << "the profile is removed";
      expect_agreement(name, decoded);
    }
  }
}

TEST(MatrixToSrgb, AlphaPassesThrough) {
  const VImage cube = colour_cube(5);
  const VImage alpha = (VImage::xyz(cube.width(), cube.height()).extract_band(0) % 256).cast(VIPS_FORMAT_UCHAR);
  const std::string icc = profile_bytes("AdobeRGB1998");
  const auto conversion = rt::MatrixToSrgb::from_profile(icc.data(), icc.size());
  ASSERT_TRUE(conversion.has_value());
  const VImage rgba = tagged_with(cube.bandjoin(alpha), icc);
  const VImage out = conversion->apply(rgba);
  ASSERT_EQ(out.bands(), 4);
  EXPECT_EQ(out.interpretation(), VIPS_INTERPRETATION_sRGB);
  EXPECT_EQ(agreement(out.extract_band(3), alpha).max_difference, 0.0);
  const VImage rgb = out.extract_band(0, VImage::option()->set("n", 3));
  EXPECT_EQ(agreement(rgb, conversion->apply(tagged_with(cube, icc))).max_difference, 0.0);
}

// ---- Hostile matrix profiles ----------------------------------------------

struct ProfileCloser {
  void operator()(void* p) const { cmsCloseProfile(p); }
};

// Adobe RGB with one change made by lcms, saved back to bytes.
std::string modified_adobe(const std::function<void(cmsHPROFILE)>& change) {
  const std::unique_ptr<void, ProfileCloser> p(cmsOpenProfileFromFile(corpus::profile("AdobeRGB1998").c_str(), "r"));
  if (!p) throw std::runtime_error("cannot open the Adobe RGB profile");
  change(p.get());
  cmsUInt32Number size = 0;
  if (!cmsSaveProfileToMem(p.get(), nullptr, &size)) throw std::runtime_error("cannot size the profile");
  std::string bytes(size, '\0');
  if (!cmsSaveProfileToMem(p.get(), bytes.data(), &size)) throw std::runtime_error("cannot save the profile");
  return bytes;
}

void write_red_curve(cmsHPROFILE p, cmsToneCurve* curve) {
  cmsWriteTag(p, cmsSigRedTRCTag, curve);
  cmsFreeToneCurve(curve);
}

std::vector<std::pair<std::string, std::string>> hostile_profiles() {
  std::vector<std::pair<std::string, std::string>> cases;
  cases.emplace_back("absurd colorant", modified_adobe([](cmsHPROFILE p) {
                       const cmsCIEXYZ xyz = {30000.0, 0.0, -30000.0};
                       cmsWriteTag(p, cmsSigRedColorantTag, &xyz);
                     }));
  cases.emplace_back("curve above 1", modified_adobe([](cmsHPROFILE p) {
                       const cmsFloat64Number params[] = {1.0, 1.0, 0.0, 0.0, 0.0, 5.0, 0.0};  // Y = X + 5
                       write_red_curve(p, cmsBuildParametricToneCurve(nullptr, 5, params));
                     }));
  cases.emplace_back("curve to infinity", modified_adobe([](cmsHPROFILE p) {
                       write_red_curve(p, cmsBuildGamma(nullptr, -1.0));  // 0^-1
                     }));
  cases.emplace_back("matrix with a table", modified_adobe([](cmsHPROFILE p) {
                       cmsToneCurve* linear = cmsBuildGamma(nullptr, 1.0);  // an AToB0 of three linear curves
                       std::array<cmsToneCurve*, 3> curves = {linear, linear, linear};
                       cmsPipeline* lut = cmsPipelineAlloc(nullptr, 3, 3);
                       cmsPipelineInsertStage(lut, cmsAT_END, cmsStageAllocToneCurves(nullptr, 3, curves.data()));
                       cmsWriteTag(p, cmsSigAToB0Tag, lut);
                       cmsPipelineFree(lut);
                       cmsFreeToneCurve(linear);
                     }));
  return cases;
}

TEST(MatrixToSrgbHostile, ImplausibleProfilesFallBackWithoutFailing) {
  const VImage cube = colour_cube(15);
  for (const auto& [name, icc] : hostile_profiles()) {
    EXPECT_FALSE(fast(icc)) << name;
    VImage out;
    ASSERT_NO_THROW(out = rt::to_srgb(tagged_with(cube, icc), rt::ColourManagement::kIcc)) << name;
    EXPECT_EQ(out.width(), cube.width()) << name;
    EXPECT_EQ(out.bands(), 3) << name;
    EXPECT_NO_THROW((void)out.avg()) << name << ": the pixels compute";
  }
}

}  // namespace
}  // namespace imgflo::test
