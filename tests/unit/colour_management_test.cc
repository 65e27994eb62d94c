// Colour management: embedded ICC profiles to sRGB (against the truth and
// libvips' own icc_transform), legacy mode, CMYK with and without a profile,
// grey, 16-bit PNG rounding, and unusable profiles that must not fail.
#include "runtime/codec.h"
#include "runtime/colour_management.h"
#include "runtime/srgb_profile.h"
#include "support/image_compare.h"
#include "support/input_corpus.h"
#include "support/paths.h"
#include "support/pixels.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace imgflo::test {
namespace {

namespace rt = runtime;

rt::DecodeLimits legacy() {
  rt::DecodeLimits l;
  l.colour = rt::ColourManagement::kLegacy;
  return l;
}

std::string passthrough(const std::filesystem::path& input, const rt::DecodeLimits& limits = {}) {
  return run_graph("passthrough", read_file(input), {}, "png", limits);
}

TEST(ColourManagementSetting, ParsesBothValues) {
  EXPECT_EQ(rt::parse_colour_management("icc"), rt::ColourManagement::kIcc);
  EXPECT_EQ(rt::parse_colour_management("legacy"), rt::ColourManagement::kLegacy);
  EXPECT_FALSE(rt::parse_colour_management("ICC").has_value());
  EXPECT_FALSE(rt::parse_colour_management("").has_value());
  EXPECT_EQ(rt::colour_management_name(rt::DecodeLimits{}.colour), "icc");
}

struct Tagged {
  std::string profile;
  std::string ext;
};

class EmbeddedProfile : public testing::TestWithParam<Tagged> {};

TEST_P(EmbeddedProfile, ConvertsToSrgbAsVipsIccTransformDoes) {
  const auto input = corpus::tagged(GetParam().profile, GetParam().ext);
  const std::string truth = read_file(corpus::upright_png());
  const Comparison ours = compare_images(passthrough(input), truth);
  const Comparison vips = compare_files(corpus::vips_to_srgb(input), corpus::upright_png());
  EXPECT_LE(ours.mean_delta, vips.mean_delta + 0.5) << "ours " << ours.describe() << "; vips " << vips.describe();
}

TEST_P(EmbeddedProfile, LegacyModeIgnoresTheProfile) {
  const auto input = corpus::tagged(GetParam().profile, GetParam().ext);
  const std::string truth = read_file(corpus::upright_png());
  const Comparison managed = compare_images(passthrough(input), truth);
  const Comparison legacy_result = compare_images(passthrough(input, legacy()), truth);
  EXPECT_GT(legacy_result.mean_delta, managed.mean_delta + 0.5)
      << "the old desaturation: " << legacy_result.describe() << "; managed " << managed.describe();
}

INSTANTIATE_TEST_SUITE_P(Colord, EmbeddedProfile,
                         testing::Values(Tagged{"AdobeRGB1998", "jpg"}, Tagged{"AdobeRGB1998", "png"},
                                         Tagged{"ProPhotoRGB", "jpg"}, Tagged{"ProPhotoRGB", "png"},
                                         Tagged{"WideGamutRGB", "jpg"}, Tagged{"WideGamutRGB", "png"}),
                         [](const testing::TestParamInfo<Tagged>& info) {
                           return info.param.profile + "_" + info.param.ext;
                         });

TEST(CmykJpeg, WithProfileUsesIt) {
  const auto input = corpus::cmyk_jpeg_with_profile();
  const std::string truth = read_file(corpus::upright_png());
  const Comparison ours = compare_images(passthrough(input), truth);
  const Comparison vips = compare_files(corpus::vips_to_srgb(input), corpus::upright_png());
  EXPECT_LE(ours.mean_delta, vips.mean_delta + 0.5) << "ours " << ours.describe() << "; vips " << vips.describe();
  const Comparison naive = compare_images(passthrough(input, legacy()), truth);
  EXPECT_GT(naive.mean_delta, ours.mean_delta + 2.0) << "legacy " << naive.describe();
}

// The bundled CMYK example carries a 557 kB profile: the original ignored it
// (regcheck_cmyk_jpeg, reproduced in legacy mode by the conformance suites);
// with colour management the result follows the profile instead.
TEST(CmykJpeg, BundledExampleDiffersFromTheOriginalOnPurpose) {
  const auto input = example("cmyk-color.jpg");
  const std::string ours = passthrough(input);
  const Comparison vs_vips = compare_images(ours, read_file(corpus::vips_to_srgb(input)));
  EXPECT_LE(vs_vips.mean_delta, 0.5) << vs_vips.describe();
  const std::string reference_png = read_file(reference("regcheck_cmyk_jpeg.reference.png"));
  EXPECT_FALSE(compare_images(ours, reference_png).passes(1.5));
  EXPECT_TRUE(compare_images(passthrough(input, legacy()), reference_png).passes(1.5));
}

TEST(CmykJpeg, WithoutProfileKeepsTheNaiveFormula) {
  const std::string stripped = (scratch_dir("cmyk-no-profile") / "cmyk.jpg").string();
  corpus::run_tool({"vips", "copy", corpus::cmyk_jpeg_with_profile().string(), stripped + "[Q=95,strip]"});
  EXPECT_TRUE(compare_images(passthrough(stripped), passthrough(stripped, legacy())).passes(0.0));
}

TEST(Png16, RoundsExactlyTo8Bits) {
  const Comparison ours = compare_images(passthrough(corpus::png16()), read_file(corpus::png16_truth()));
  const Comparison vips = compare_files(corpus::png16_vips(), corpus::png16_truth());
  EXPECT_EQ(ours.wrong_pixels, 0) << ours.describe();
  EXPECT_LE(ours.mean_delta, vips.mean_delta) << "ours " << ours.describe() << "; vips " << vips.describe();
}

TEST(Grey, UntaggedGreyJpegStaysGrey) {
  const std::string out = passthrough(corpus::grey_jpeg());
  EXPECT_EQ(decode_pixels(out).bands, 1);
  EXPECT_LE(compare_images(out, read_file(corpus::grey_jpeg())).mean_delta, 0.5);
}

TEST(Grey, GreyProfileIsAppliedAndStaysGrey) {
  const auto input = corpus::grey_png_with_profile();
  const std::string out = passthrough(input);
  EXPECT_EQ(decode_pixels(out).bands, 1);
  const Comparison c = compare_images(out, read_file(corpus::vips_to_srgb(input)));
  EXPECT_LE(c.mean_delta, 0.5) << c.describe();
  EXPECT_GT(compare_images(passthrough(input, legacy()), out).mean_delta, 1.0) << "the profile changes the pixels";
}

// An APP2 ICC_PROFILE segment (chunk `seq` of `total`) inserted after SOI.
std::string with_icc_segment(const std::string& jpeg, const std::string& payload, int seq = 1, int total = 1) {
  std::string body = std::string("ICC_PROFILE\0", 12) + static_cast<char>(seq) + static_cast<char>(total) + payload;
  const size_t length = body.size() + 2;
  std::string segment = "\xFF\xE2";
  segment += static_cast<char>(length >> 8);
  segment += static_cast<char>(length & 0xFF);
  return jpeg.substr(0, 2) + segment + body + jpeg.substr(2);
}

// Unusable profiles are ignored: the pixels come out as if untagged.
TEST(BadProfile, IsIgnoredNotFatal) {
  const std::string plain = read_file(corpus::oriented(1));
  const std::string untagged = run_graph("passthrough", plain, {});
  std::string garbage(600, '\x5A');
  const std::string gray_profile = read_file(corpus::profile("Gray"));
  std::string truncated_profile = read_file(corpus::profile("AdobeRGB1998"));
  truncated_profile.resize(200);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"garbage", with_icc_segment(plain, garbage)},
      {"grey profile on RGB", with_icc_segment(plain, gray_profile)},
      {"truncated profile", with_icc_segment(plain, truncated_profile)},
      {"chunk 0 of 1", with_icc_segment(plain, gray_profile, 0, 1)},
      {"chunk 2 of 1", with_icc_segment(plain, gray_profile, 2, 1)},
      {"chunk 1 of 2, second missing", with_icc_segment(plain, gray_profile, 1, 2)},
  };
  for (const auto& [name, bytes] : cases) {
    std::string out;
    ASSERT_NO_THROW(out = run_graph("passthrough", bytes, {})) << name;
    EXPECT_TRUE(compare_images(out, untagged).passes(0.0)) << name;
  }
}

// sRGB profiles as Debian ships them (icc-profiles-free, colord): different bytes, same colours.
const std::vector<std::string> kSrgbProfiles = {"/usr/share/color/icc/sRGB.icc",
                                                "/usr/share/color/icc/colord/sRGB.icc"};

TEST(SrgbProfile, CopiesOfSrgbAreRecognised) {
  for (const std::string& path : kSrgbProfiles) {
    const std::string bytes = read_file(path);
    EXPECT_TRUE(rt::is_srgb_equivalent(bytes.data(), bytes.size())) << path;
  }
}

TEST(SrgbProfile, OtherProfilesAndGarbageAreNot) {
  for (const char* name : {"AdobeRGB1998", "ProPhotoRGB", "WideGamutRGB", "Gray"}) {
    const std::string bytes = read_file(corpus::profile(name));
    EXPECT_FALSE(rt::is_srgb_equivalent(bytes.data(), bytes.size())) << name;
  }
  std::string truncated = read_file(kSrgbProfiles[0]);
  truncated.resize(300);
  const std::string garbage(3000, '\x5A');
  EXPECT_FALSE(rt::is_srgb_equivalent(truncated.data(), truncated.size()));
  EXPECT_FALSE(rt::is_srgb_equivalent(garbage.data(), garbage.size()));
  EXPECT_FALSE(rt::is_srgb_equivalent(nullptr, 0));
}

// An sRGB-tagged JPEG comes out as the untagged one, bit for bit: skipping the
// transform for a recognised profile changes no pixel (lcms' sRGB -> sRGB on
// 8 bits is exact for these profiles too, so this guards the tolerances; the
// saving itself is CPU, measured by bench/inputs.sh).
TEST(SrgbProfile, TaggedJpegComesOutAsUntagged) {
  const std::string plain = read_file(corpus::oriented(1));
  const std::string untagged = run_graph("passthrough", plain, {}, "png");
  for (const std::string& path : kSrgbProfiles) {
    const std::string out = run_graph("passthrough", with_icc_segment(plain, read_file(path)), {}, "png");
    EXPECT_TRUE(compare_images(out, untagged).passes(0.0)) << path;
  }
}

// EXIF segments that lie about their structure decode as upright.
TEST(BadExif, IsIgnoredNotFatal) {
  const std::string plain = read_file(corpus::oriented(1));
  const std::string untagged = run_graph("passthrough", plain, {});
  for (const std::string& body : {std::string("Exif\0\0II*\0\xFF\xFF\xFF\xFF", 14), std::string("Exif\0\0MM", 8),
                                 std::string("Exif\0\0II*\0\x08\0\0\0\xFF\xFF\x12\x01", 18)}) {
    std::string segment = "\xFF\xE1";
    segment += static_cast<char>((body.size() + 2) >> 8);
    segment += static_cast<char>((body.size() + 2) & 0xFF);
    const std::string bytes = plain.substr(0, 2) + segment + body + plain.substr(2);
    auto size = rt::probe(bytes);
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(size->orientation, 1);
    EXPECT_TRUE(compare_images(run_graph("passthrough", bytes, {}), untagged).passes(0.0));
  }
}

}  // namespace
}  // namespace imgflo::test
