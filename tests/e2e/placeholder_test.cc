// The placeholder graph over HTTP: /graph/placeholder.json?input=... is
// processed, stored as JSON (application/json) and redirected to; the
// BlurHash, decoded by the test's own decoder (support/blurhash_decode), is
// close to a 4 x 3 downscale of the input; the dominant colour is the mean of
// the largest cluster; the lqip is a WebP of at most 32 px; x/y change the
// hash; bad values are 400 and image extensions 449.
#include "e2e/e2e_util.h"
#include "support/blurhash_decode.h"
#include "support/input_corpus.h"
#include "support/paths.h"
#include "support/pixels.h"
#include "support/two_colours.h"

#include <glib.h>
#include <gtest/gtest.h>
#include <vips/vips8>

#include <filesystem>

namespace imgflo::test {
namespace {

using vips::VImage;

const Rgb kTeal{30, 140, 150};
const Rgb kOrange{230, 140, 40};

// Each 4 x 3 cell's mean in linear light, as sRGB 8-bit values: the
// downscale a BlurHash of 4 x 3 components stands for.
std::vector<double> cell_means(const std::vector<uint8_t>& rgb, int width, int height) {
  std::vector<double> out;
  for (int cy = 0; cy < 3; ++cy) {
    for (int cx = 0; cx < 4; ++cx) {
      double sum[3] = {0, 0, 0};
      int n = 0;
      for (int y = cy * height / 3; y < (cy + 1) * height / 3; ++y) {
        for (int x = cx * width / 4; x < (cx + 1) * width / 4; ++x, ++n) {
          for (int b = 0; b < 3; ++b) sum[b] += test_srgb_to_linear(rgb[(static_cast<size_t>(y) * width + x) * 3 + b]);
        }
      }
      for (double s : sum) out.push_back(test_linear_to_srgb(s / n));
    }
  }
  return out;
}

// CIE L*a*b* (libvips, D65) of sRGB 8-bit values, 3 per colour.
std::vector<double> lab(const std::vector<double>& srgb) {
  const int n = static_cast<int>(srgb.size() / 3);
  std::vector<float> f(srgb.begin(), srgb.end());
  VImage img = VImage::new_from_memory(f.data(), f.size() * sizeof(float), n, 1, 3, VIPS_FORMAT_FLOAT)
                   .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB))
                   .colourspace(VIPS_INTERPRETATION_LAB);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    for (double v : img.getpoint(i, 0)) out.push_back(v);
  }
  return out;
}

// CIE76 distances between the colours of two equally long sRGB lists.
std::vector<double> delta_e(const std::vector<double>& a, const std::vector<double>& b) {
  const std::vector<double> la = lab(a), lb = lab(b);
  std::vector<double> out;
  for (size_t i = 0; i < la.size(); i += 3) {
    out.push_back(std::hypot(la[i] - lb[i], la[i + 1] - lb[i + 1], la[i + 2] - lb[i + 2]));
  }
  return out;
}

std::vector<double> hex_rgb(const std::string& hex) {
  return {static_cast<double>(std::stoi(hex.substr(1, 2), nullptr, 16)),
          static_cast<double>(std::stoi(hex.substr(3, 2), nullptr, 16)),
          static_cast<double>(std::stoi(hex.substr(5, 2), nullptr, 16))};
}

std::string base64_decode(const std::string& text) {
  gsize len = 0;
  std::unique_ptr<guchar, decltype(&g_free)> bytes(g_base64_decode(text.c_str(), &len), g_free);
  return std::string(reinterpret_cast<const char*>(bytes.get()), len);
}

class Placeholder : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(scratch_dir("placeholder-files"));  // (a second call would empty it)
    const std::filesystem::path& dir = *dir_;
    auto write_two = [&](const std::string& name, int split) {
      const TwoColours t = two_colours(300, 200, split, kTeal, kOrange, 12);
      write_file(dir / name, png_bytes(image_from(t.rgb, 300, 200, runtime::fmt::kRpGpBpU8).pixels));
      return t;
    };
    teal_ = new TwoColours(write_two("teal-70.png", 210));
    orange_ = new TwoColours(write_two("orange-70.png", 90));
    for (const char* name : {"mountains.png", "gridbear.jpg"}) {
      std::filesystem::copy_file(example(name), dir / name, std::filesystem::copy_options::overwrite_existing);
    }
    std::filesystem::copy_file(corpus::oriented(6), dir / "orientation-6.jpg",
                               std::filesystem::copy_options::overwrite_existing);
    server_ = new ServerProcess("placeholder", {{"IMGFLO_RESOURCE_DIR", dir.string()}});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete teal_;
    delete orange_;
    delete dir_;
  }

  // The stored JSON of /graph/placeholder.json?input=files/NAME&extra.
  static nlohmann::json placeholder(const std::string& name, const std::string& extra = "") {
    const HttpResult r = http(server_->url("/graph/placeholder.json?input=files/" + name + extra));
    EXPECT_EQ(r.status, 301) << r.body;
    const std::string location = r.header("location");
    EXPECT_TRUE(location.ends_with(".json")) << location;
    const HttpResult stored = http(resolve(*server_, location));
    EXPECT_EQ(stored.status, 200) << stored.body;
    EXPECT_EQ(stored.header("content-type"), "application/json");
    return stored.json();
  }

  static ServerProcess* server_;
  static TwoColours* teal_;
  static TwoColours* orange_;
  static std::filesystem::path* dir_;
};
ServerProcess* Placeholder::server_ = nullptr;
TwoColours* Placeholder::teal_ = nullptr;
TwoColours* Placeholder::orange_ = nullptr;
std::filesystem::path* Placeholder::dir_ = nullptr;

TEST_F(Placeholder, StoredJsonHasEveryField) {
  const nlohmann::json j = placeholder("gridbear.jpg");
  ASSERT_TRUE(j.is_object()) << j;
  EXPECT_EQ(j.size(), 5u) << j;
  EXPECT_EQ(j["blurhash"].get<std::string>().size(), 28u);  // 4 + 2 x 4 x 3
  EXPECT_TRUE(std::regex_match(j["dominant"].get<std::string>(), std::regex("#[0-9a-f]{6}"))) << j["dominant"];
  EXPECT_EQ(j["width"], 150);
  EXPECT_EQ(j["height"], 150);
  EXPECT_TRUE(j["lqip"].get<std::string>().starts_with("data:image/webp;base64,"));
}

// Tolerance: CIE76 between each of the 4 x 3 cells of the decoded hash
// (decoded at 8 x 8 pixels per cell, averaged in linear light) and the same
// cell of the input, mean <= 8 and max <= 25 (4 x 3 cosine components are a
// smooth surface, not 12 flat cells; measured 4.1-5.2 mean, 6.8-17.3 max on
// these inputs). The hash of another image must miss by far (mean > 20;
// measured 32-39).
TEST_F(Placeholder, BlurHashDecodesCloseToA4x3Downscale) {
  struct Case {
    std::string file;
    std::filesystem::path truth;  // upright pixels
  };
  const std::vector<Case> cases = {{"mountains.png", example("mountains.png")},
                                   {"gridbear.jpg", example("gridbear.jpg")},
                                   {"orientation-6.jpg", corpus::upright_png()},
                                   {"teal-70.png", *dir_ / "teal-70.png"}};
  std::map<std::string, std::vector<double>> truths, decoded;
  for (const Case& c : cases) {
    const Pixels in = decode_pixels(read_file(c.truth));
    ASSERT_EQ(in.bands, 3) << c.file;
    truths[c.file] = cell_means(in.data, in.width, in.height);
    const std::string hash = placeholder(c.file)["blurhash"];
    decoded[c.file] = cell_means(decode_blurhash(hash, 32, 24), 32, 24);
  }
  for (const Case& c : cases) {
    const std::vector<double> d = delta_e(decoded[c.file], truths[c.file]);
    double mean = 0, max = 0;
    for (double v : d) mean += v / d.size(), max = std::max(max, v);
    EXPECT_LE(mean, 8.0) << c.file;
    EXPECT_LE(max, 25.0) << c.file;
    const std::vector<double> other = delta_e(decoded[c.file], truths[c.file == "gridbear.jpg" ? "teal-70.png" : "gridbear.jpg"]);
    double other_mean = 0;
    for (double v : other) other_mean += v / other.size();
    EXPECT_GT(other_mean, 20.0) << c.file;
    std::cout << c.file << ": mean dE " << mean << ", max " << max << ", against another image " << other_mean << "\n";
  }
}

// Tolerance: CIE76 <= 10 from the mean of the larger region's pixels (the
// largest cluster by construction), and the other region's mean is far.
TEST_F(Placeholder, DominantIsTheMeanOfTheLargestCluster) {
  for (const auto& [file, t, wins] : {std::tuple{"teal-70.png", teal_, true}, std::tuple{"orange-70.png", orange_, false}}) {
    const std::string hex = placeholder(file)["dominant"];
    const auto left = t->mean(0, t->split_x), right = t->mean(t->split_x, t->width);
    const std::vector<double> largest(t->split_x * 2 > t->width ? left.begin() : right.begin(),
                                      t->split_x * 2 > t->width ? left.end() : right.end());
    const std::vector<double> d = delta_e(hex_rgb(hex), largest);
    EXPECT_LE(d[0], 10.0) << file << ": " << hex;
    const std::vector<double> teal(left.begin(), left.end());
    EXPECT_EQ(delta_e(hex_rgb(hex), teal)[0] <= 10.0, wins) << file << ": " << hex;
  }
}

TEST_F(Placeholder, LqipIsAWebpOfAtMost32Pixels) {
  for (const auto& [file, w, h] : {std::tuple{"mountains.png", 32, 22}, std::tuple{"orientation-6.jpg", 32, 22},
                                   std::tuple{"gridbear.jpg", 32, 32}}) {
    const std::string url = placeholder(file)["lqip"];
    const std::string webp = base64_decode(url.substr(url.find(',') + 1));
    const VImage img = VImage::new_from_buffer(webp.data(), webp.size(), "");
    EXPECT_EQ(img.get_string("vips-loader"), std::string("webpload_buffer")) << file;
    EXPECT_EQ(img.width(), w) << file;
    EXPECT_EQ(img.height(), h) << file;
    EXPECT_LT(webp.size(), 1000u) << file;
  }
}

TEST_F(Placeholder, SizeIsTheUprightInputsOrTheRequestedOne) {
  const nlohmann::json upright = placeholder("orientation-6.jpg");
  EXPECT_EQ(upright["width"], 720);
  EXPECT_EQ(upright["height"], 500);
  const nlohmann::json resized = placeholder("orientation-6.jpg", "&width=360");
  EXPECT_EQ(resized["width"], 360);
  EXPECT_EQ(resized["height"], 250);
  EXPECT_EQ(resized["blurhash"], upright["blurhash"]);
}

TEST_F(Placeholder, ComponentCountsChangeTheHash) {
  for (const auto& [query, length] : {std::pair{"&x=1&y=1", 6}, {"&x=9&y=2", 40}, {"&y=9", 76}, {"", 28}}) {
    const std::string hash = placeholder("mountains.png", query)["blurhash"];
    EXPECT_EQ(hash.size(), static_cast<size_t>(length)) << query;
    const BlurHashComponents c = blurhash_components(hash);
    EXPECT_EQ(4 + 2 * c.x * c.y, length) << query;
  }
}

TEST_F(Placeholder, BadComponentCountsAre400) {
  for (const std::string q : {"x=0", "x=10", "y=abc", "x=-1", "y="}) {
    const HttpResult r = http(server_->url("/graph/placeholder.json?input=files/gridbear.jpg&" + q));
    EXPECT_EQ(r.status, 400) << q << ": " << r.body;
    EXPECT_EQ(r.json()["parameter"], q.substr(0, 1)) << r.body;
  }
}

TEST_F(Placeholder, OnlyDataGraphsWriteJson) {
  const HttpResult png = http(server_->url("/graph/placeholder.png?input=files/gridbear.jpg"));
  EXPECT_EQ(png.status, 449) << png.body;
  EXPECT_EQ(png.json()["supported"], nlohmann::json::array({"json"}));
  const HttpResult image = http(server_->url("/graph/passthrough.json?input=files/gridbear.jpg"));
  EXPECT_EQ(image.status, 449) << image.body;
  const nlohmann::json supported = image.json()["supported"];  // kept: a loop over a temporary's member dangles
  for (const auto& t : supported) EXPECT_NE(t, "json");
}

TEST_F(Placeholder, ListedWithTypedComponentParameters) {
  const nlohmann::json graphs = http(server_->url("/graphs")).json()["graphs"];
  const nlohmann::json inports = graphs["placeholder"]["inports"];
  for (const auto& [name, def] : {std::pair{"x", 4}, {"y", 3}}) {
    const nlohmann::json m = inports[name]["metadata"];
    EXPECT_EQ(m["type"], "int") << m;
    EXPECT_EQ(m["minimum"], 1);
    EXPECT_EQ(m["maximum"], 9);
    EXPECT_EQ(m["default"], def);
  }
  EXPECT_TRUE(inports.contains("width")) << inports;
}

}  // namespace
}  // namespace imgflo::test
