// Format negotiation through the redirect, over real HTTP (request/negotiate.h,
// http/redirect.h): the Accept headers of real clients against requests
// without extension -> the Location (type and key), Vary and Cache-Control of
// the 301, and the stored bytes decode (libvips) as the type the Location
// names. Three servers: the default setting (avif,webp), negotiation off
// (IMGFLO_AUTO_FORMAT=""), and webp only.
//
// AVIF: the default setting prefers avif; a graph negotiates only among the
// types it can write, so the expected "modern" type of a graph is avif when
// the server writes /graph/NAME.avif for it (not 449), else webp.
#include "e2e/e2e_util.h"
#include "request/graph_request.h"
#include "support/browser_accept.h"

#include <gtest/gtest.h>
#include <vips/vips8>

namespace imgflo::test {
namespace {

const std::string& kChrome = kChromeAccept;
const std::string& kSafari = kSafariAccept;
const std::string& kFirefox = kFirefoxAccept;
const std::string& kFirefoxOld = kFirefoxOldAccept;
const std::string kNoAccept = "";  // curl without any Accept header

// The original's key vector (contract suite): crop without extension.
const std::string kNegotiatedCrop = "/graph/crop?height=110&width=130&x=200&y=230&input=files%2Fgrid-toastybob.jpg";
const std::string kCropHash = "b5774b2bd2c5c94535432dec55a205a712bc5326";
const std::string kGradient = "/graph/gradientmap?input=files/grid-toastybob.jpg&color1=%23082A31";

// A GET (or `method`) with exactly this Accept header; kNoAccept sends none (libcurl's */* removed).
HttpResult request(const ServerProcess& s, const std::string& path, const std::string& accept,
                   const std::string& method = "GET") {
  return http(s.url(path), {.method = method, .headers = {accept.empty() ? "Accept:" : "Accept: " + accept}});
}

// "/graph/NAME?q" -> "/graph/NAME.TYPE?q".
std::string with_extension(const std::string& path, const std::string& type) {
  const size_t q = path.find('?');
  return path.substr(0, q) + "." + type + path.substr(q);
}

// The stored result's key for `path` negotiated to `type`: the hash of the URL with ".type".
std::string key_for(const std::string& path, const std::string& type) {
  return request::parse_graph_request(path)->cache_key.substr(0, 40) + "." + type;
}

// The libvips loader family of each output type.
std::string loader_of(const std::string& type) {
  if (type == "jpg") return "jpegload";
  if (type == "avif") return "heifload";
  return type + "load";
}

class Negotiation : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    default_ = new ServerProcess("negotiation-default");
    off_ = new ServerProcess("negotiation-off", {{"IMGFLO_AUTO_FORMAT", ""}});
    webp_only_ = new ServerProcess("negotiation-webp", {{"IMGFLO_AUTO_FORMAT", "webp"}, {"IMGFLO_REDIRECT_MAX_AGE", "60"}});
  }
  static void TearDownTestSuite() {
    delete default_;
    delete off_;
    delete webp_only_;
  }

  // The type a browser negotiates to on the default server for `path`'s graph:
  // avif when the graph writes it, else webp (else "": the graph negotiates nothing).
  static std::string modern_type(const std::string& path) {
    for (const char* type : {"avif", "webp"}) {
      if (request(*default_, with_extension(path, type), "*/*").status != 449) return type;
    }
    return "";
  }

  // Checks one answer: a 301 to the result of `path` as `type`, with the
  // caching headers, whose stored bytes are that type. Returns the Location.
  static std::string expect_redirect(const ServerProcess& s, const HttpResult& r, const std::string& path,
                                     const std::string& type, bool varies, const std::string& max_age = "86400") {
    EXPECT_EQ(r.status, 301) << r.body;
    const std::string location = r.header("location");
    EXPECT_EQ(location_path(location), "/cache/" + key_for(path, type));
    EXPECT_EQ(r.header("vary"), varies ? "Accept" : "");
    EXPECT_EQ(r.header("cache-control"), "public, max-age=" + max_age);
    expect_stored_as(s, location, type);
    return location;
  }

  static void expect_stored_as(const ServerProcess& s, const std::string& location, const std::string& type) {
    const HttpResult stored = http_get(resolve(s, location));
    ASSERT_EQ(stored.status, 200) << location;
    EXPECT_EQ(stored.header("content-type"), type == "jpg" ? "image/jpeg" : "image/" + type);
    const vips::VImage img = vips::VImage::new_from_buffer(stored.body.data(), stored.body.size(), "");
    EXPECT_EQ(img.get_string("vips-loader"), loader_of(type) + "_buffer") << location;
  }

  static ServerProcess* default_;
  static ServerProcess* off_;
  static ServerProcess* webp_only_;
};
ServerProcess* Negotiation::default_ = nullptr;
ServerProcess* Negotiation::off_ = nullptr;
ServerProcess* Negotiation::webp_only_ = nullptr;

TEST_F(Negotiation, BrowsersGetTheModernTypeTheSharedKeyAndVary) {
  const std::string type = modern_type(kGradient);
  ASSERT_FALSE(type.empty()) << "imgflo graphs write webp";
  for (const auto& accept : {kChrome, kSafari, kFirefox, kFirefoxOld}) {
    SCOPED_TRACE(accept);
    const std::string location = expect_redirect(*default_, request(*default_, kGradient, accept), kGradient, type, true);
    // The same stored result as the explicit extension, which itself never varies.
    const HttpResult explicit_type = request(*default_, with_extension(kGradient, type), accept);
    EXPECT_EQ(explicit_type.header("location"), location);
    EXPECT_EQ(explicit_type.header("vary"), "");
  }
}

TEST_F(Negotiation, CurlAndWildcardsKeepTheOriginalsJpegKey) {
  for (const auto& accept : {kNoAccept, std::string("*/*"), std::string("image/*"), std::string("image/*,*/*;q=0.8"),
                             std::string("image/png,image/jpeg")}) {
    SCOPED_TRACE("Accept: " + accept);
    const HttpResult r = request(*default_, kNegotiatedCrop, accept);
    expect_redirect(*default_, r, kNegotiatedCrop, "jpg", true);
    EXPECT_EQ(location_path(r.header("location")), "/cache/" + kCropHash + ".jpg");
  }
  const HttpResult browser = request(*default_, kNegotiatedCrop, kChrome);
  EXPECT_EQ(location_path(browser.header("location")), "/cache/" + kCropHash + "." + modern_type(kNegotiatedCrop));
}

TEST_F(Negotiation, QValuesAreHonoured) {
  const std::string modern = modern_type(kGradient);
  expect_redirect(*default_, request(*default_, kGradient, "image/webp;q=0.9,image/avif;q=0.8,*/*;q=0.1"), kGradient,
                  "webp", true);
  expect_redirect(*default_, request(*default_, kGradient, "image/avif;q=0,image/webp,*/*"), kGradient, "webp", true);
  expect_redirect(*default_, request(*default_, kGradient, "image/avif;q=0,image/webp;q=0,*/*"), kGradient, "jpg",
                  true);
  expect_redirect(*default_, request(*default_, kGradient, "image/jpeg,image/avif;q=0.5,image/webp;q=0.5"), kGradient,
                  "jpg", true);
  expect_redirect(*default_, request(*default_, kGradient, "image/avif;q=0.5,image/webp;q=0.5"), kGradient, modern,
                  true);
}

TEST_F(Negotiation, TransparencyIsNeverNegotiatedToJpeg) {
  // croprotate's corners are transparent: a client refusing both modern types gets PNG (with alpha).
  const std::string path = "/graph/croprotate?input=files/grid-toastybob.jpg&degrees=30&cropwidth=200&cropheight=200";
  const std::string location =
      expect_redirect(*default_, request(*default_, path, "image/avif;q=0,image/webp;q=0,*/*"), path, "png", true);
  const HttpResult stored = http_get(resolve(*default_, location));
  const vips::VImage img = vips::VImage::new_from_buffer(stored.body.data(), stored.body.size(), "");
  EXPECT_TRUE(img.has_alpha());
  EXPECT_EQ(img.getpoint(0, 0).back(), 0) << "the rotated corner is transparent";
  expect_redirect(*default_, request(*default_, path, kChrome), path, modern_type(path), true);
  expect_redirect(*default_, request(*default_, path, "*/*"), path, "jpg", true);  // not negotiated: the original's
}

TEST_F(Negotiation, AnExplicitExtensionNeverNegotiates) {
  for (const char* type : {"jpg", "png"}) {
    const std::string path = with_extension(kGradient, type);
    expect_redirect(*default_, request(*default_, path, kChrome), path, type, false);
  }
  const HttpResult jpeg = request(*default_, with_extension(kNegotiatedCrop, "jpeg"), kChrome);
  EXPECT_EQ(location_path(jpeg.header("location")), "/cache/" + kCropHash + ".jpg");
  EXPECT_EQ(jpeg.header("vary"), "");
}

TEST_F(Negotiation, SwitchedOffNothingChanges) {
  for (const auto& accept : {kChrome, kSafari, kNoAccept}) {
    expect_redirect(*off_, request(*off_, kNegotiatedCrop, accept), kNegotiatedCrop, "jpg", false);
  }
}

TEST_F(Negotiation, WebpOnlySetting) {
  for (const auto& accept : {kChrome, kSafari, kFirefox}) {
    expect_redirect(*webp_only_, request(*webp_only_, kGradient, accept), kGradient, "webp", true, "60");
  }
  // Naming only a type the setting leaves out does not negotiate.
  expect_redirect(*webp_only_, request(*webp_only_, kGradient, "image/avif,*/*"), kGradient, "jpg", true, "60");
}

TEST_F(Negotiation, TheHotPathKeepsClientsApart) {
  // Repeats of the same URL are answered by the hot path once cached; each
  // client keeps getting its own type, in any order.
  const std::string path = "/graph/gradientmap?input=files/grid-toastybob.jpg&color1=%23112233";
  const std::string modern = modern_type(path);
  const std::string browser = "/cache/" + key_for(path, modern);
  const std::string plain = "/cache/" + key_for(path, "jpg");
  const uint64_t hits_before = metric(*default_, "imgflo_cache_hits_total");
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(location_path(request(*default_, path, kChrome).header("location")), browser) << round;
    EXPECT_EQ(location_path(request(*default_, path, kNoAccept).header("location")), plain) << round;
    EXPECT_EQ(location_path(request(*default_, path, "image/webp;q=0,image/avif;q=0").header("location")), plain);
    EXPECT_EQ(location_path(request(*default_, path, kSafari).header("location")), browser) << round;
  }
  EXPECT_GE(metric(*default_, "imgflo_cache_hits_total") - hits_before, 8u) << "repeats were not cache hits";
}

TEST_F(Negotiation, PostNegotiatesTheFutureUrl) {
  const std::string path = "/graph/gradientmap?input=files/grid-toastybob.jpg&color1=%23445566";
  const HttpResult accepted = request(*default_, path, kChrome, "POST");
  EXPECT_EQ(accepted.status, 202);
  EXPECT_EQ(location_path(accepted.header("location")), "/cache/" + key_for(path, modern_type(path)));
  EXPECT_EQ(accepted.header("vary"), "Accept");
  // The GET of the same URL by the same browser ends at that Location.
  const HttpResult done = request(*default_, path, kChrome);
  EXPECT_EQ(done.header("location"), accepted.header("location"));
  expect_stored_as(*default_, done.header("location"), modern_type(path));
}

TEST_F(Negotiation, CanvasGraphsNegotiateWhenTheyWriteAModernType) {
  const std::string path = "/graph/canvas?width=64&height=48&color=%23336699";
  const std::string modern = modern_type(path);
  if (modern.empty()) {  // until canvas graphs write webp/avif: never negotiated, never varies
    expect_redirect(*default_, request(*default_, path, kChrome), path, "jpg", false);
  } else {
    expect_redirect(*default_, request(*default_, path, kChrome), path, modern, true);
    expect_redirect(*default_, request(*default_, path, "image/avif;q=0,image/webp;q=0"), path, "png", true);
  }
}

}  // namespace
}  // namespace imgflo::test
