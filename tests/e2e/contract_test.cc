// The original's URL contract over real HTTP (auth off), on the embedded
// default and — registered a second time — on the distributed topology.
#include "e2e/topology.h"
#include "support/image_compare.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <thread>

namespace imgflo::test {
namespace {

const std::string kCropQuery = "?height=110&width=130&x=200&y=230&input=files%2Fgrid-toastybob.jpg";
const std::string kCropKey = "b5774b2bd2c5c94535432dec55a205a712bc5326.jpg";

class Contract : public testing::Test {
 protected:
  static void SetUpTestSuite() { topology_ = new Topology("contract"); }
  static void TearDownTestSuite() { delete topology_; }
  static const Topology& s() { return *topology_; }
  static uint64_t metric(const Topology& t, const std::string& name) { return t.metric(name); }
  static Topology* topology_;
};
Topology* Contract::topology_ = nullptr;

TEST_F(Contract, GetProcessesThenRedirectsToTheStoredResult) {
  const HttpResult first = http_get(s().url("/graph/crop" + kCropQuery));
  ASSERT_EQ(first.status, 301) << first.body;
  EXPECT_EQ(location_path(first.header("location")), "/cache/" + kCropKey);  // the original's test vector
  // Without a public URL the Location is the stored path: never built from the Host header.
  EXPECT_EQ(first.header("location"), "/cache/" + kCropKey);
  const HttpResult image = http_get(topology_->resolve(first.header("location")));
  ASSERT_EQ(image.status, 200);
  EXPECT_EQ(image.header("content-type"), "image/jpeg");
  EXPECT_EQ(image.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(image.header("etag"), "\"" + kCropKey + "\"");
  EXPECT_EQ(image.body.substr(0, 3), "\xFF\xD8\xFF");

  const uint64_t started = metric(s(), "imgflo_jobs_submitted_total");
  const HttpResult again = http_get(s().url("/graph/crop.jpeg" + kCropQuery));  // same key
  EXPECT_EQ(again.status, 301);
  EXPECT_EQ(again.header("location"), first.header("location"));
  EXPECT_EQ(metric(s(), "imgflo_jobs_submitted_total"), started);  // a cache hit runs nothing

  // From now on the same GET is answered from the hot path: same answer, no job.
  for (int i = 0; i < 3; ++i) {
    const HttpResult hot = http_get(s().url("/graph/crop" + kCropQuery));
    EXPECT_EQ(hot.status, 301);
    EXPECT_EQ(hot.header("location"), first.header("location"));
    EXPECT_EQ(hot.header("content-length"), "0");
  }
  EXPECT_EQ(metric(s(), "imgflo_jobs_submitted_total"), started);
  EXPECT_EQ(http(s().url("/graph/crop" + kCropQuery), {.method = "HEAD"}).status, 301);

  const HttpResult not_modified =
      http(topology_->resolve(first.header("location")), {.headers = {"If-None-Match: \"" + kCropKey + "\""}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
}

TEST_F(Contract, PostQueuesInTheBackground) {
  const std::string path = "/graph/passthrough.png?input=files%2Fgridbear.jpg&ignored=post-" +
                           std::to_string(::getpid());
  const HttpResult posted = http(s().url(path), {.method = "POST"});
  ASSERT_EQ(posted.status, 202) << posted.body;
  const std::string location = posted.header("location");
  ASSERT_NE(location.find("/cache/"), std::string::npos);
  HttpResult stored;
  for (int i = 0; i < 100 && stored.status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stored = http_get(topology_->resolve(location));
  }
  EXPECT_EQ(stored.status, 200);
  EXPECT_EQ(stored.header("content-type"), "image/png");
  EXPECT_EQ(http(s().url(path), {.method = "POST"}).status, 301);  // already stored
}

TEST_F(Contract, HeadNeverStartsProcessing) {
  const std::string path = "/graph/passthrough?input=files%2Fgridbear.jpg&ignored=head-" + std::to_string(::getpid());
  const uint64_t submitted = metric(s(), "imgflo_jobs_submitted_total");
  const HttpResult head = http(s().url(path), {.method = "HEAD"});
  EXPECT_EQ(head.status, 404);
  EXPECT_EQ(head.header("content-type"), "application/json");
  EXPECT_EQ(metric(s(), "imgflo_jobs_submitted_total"), submitted);
  ASSERT_EQ(http_get(s().url(path)).status, 301);
  EXPECT_EQ(http(s().url(path), {.method = "HEAD"}).status, 301);
}

TEST_F(Contract, ErrorsAreJsonWithTheirCodes) {
  struct Case {
    std::string path;
    int status;
    std::string type;
  };
  const std::vector<Case> cases = {
      {"/graph/gradientmap.svg?input=files%2Fgridbear.jpg", 449, "unsupported-image-type"},
      {"/graph/crop.JPG?input=files%2Fgridbear.jpg", 449, "unsupported-image-type"},
      {"/graph/crop?input=files%2Fgridbear.jpg&bogus=1", 449, "unknown-parameter"},
      {"/graph/crop?input=files%2Fgridbear.jpg&height=30000&width=1000", 422, "too-large"},
      {"/graph/crop?input=files%2Fgridbear.jpg&height=5100", 422, "too-large"},
      {"/graph/nosuchgraph?input=files%2Fgridbear.jpg", 404, "not-found"},
      {"/graph/crop?input=files%2Fnothere.jpg", 504, "download-failed"},
      {"/graph/crop?input=chrome-search%3A%2F%2Fx%2Fhttp%3A%2F%2Fa.jpg", 504, "download-failed"},
      {"/graph/crop?input=files%2Fhappy-kitten.svg&_nocache=true", 301, ""},  // SVG is an accepted input
      {"/graph/crop?input=files%2Fvideo-3dpmic.mp4&_nocache=true", 301, ""},  // a video: its poster frame
      {"/graph/crop?input=files%2Fgridbear.jpg&_nocache=true&x=2px", 301, ""},
      {"/graph/crop?input=files%2Fgridbear.jpg&x=abc", 400, "invalid-argument"},
      {"/graph/gradientmap?input=files%2Fgridbear.jpg&color1=notacolour", 400, "invalid-argument"},
      {"/graph/crop", 400, "invalid-argument"},  // no input
      {"/graph/a/b", 404, "not-found"},
      {"/nothing", 404, "not-found"},
  };
  for (const auto& c : cases) {
    const HttpResult r = http_get(s().url(c.path));
    EXPECT_EQ(r.status, c.status) << c.path << ": " << r.body;
    if (c.type.empty()) continue;
    ASSERT_EQ(r.header("content-type"), "application/json") << c.path;
    const auto j = r.json();
    EXPECT_EQ(j["code"], c.status) << c.path;
    EXPECT_EQ(j["type"], c.type) << c.path;
    EXPECT_TRUE(j["error"].is_string()) << c.path;
  }
}

TEST_F(Contract, ErrorBodiesCarryTheOriginalsDetails) {
  const auto unsupported = http_get(s().url("/graph/gradientmap.svg?input=files%2Fgridbear.jpg")).json();
  EXPECT_EQ(unsupported["supported"],
      (nlohmann::json{"jpg", "jpeg", "png", "gif", "webp", "avif", "jxl", "mp4"}));
  EXPECT_EQ(unsupported["error"], "Unsupported image type: svg");
  const auto unknown = http_get(s().url("/graph/crop?input=files%2Fgridbear.jpg&bogus=1")).json();
  EXPECT_TRUE(unknown["inports"].contains("cropwidth"));  // the graph description, as the original
  const auto missing = http_get(s().url("/graph/crop?input=files%2Fnothere.jpg")).json();
  EXPECT_NE(missing["error"].get<std::string>().find("nothere.jpg"), std::string::npos);
  EXPECT_NE(missing["error"].get<std::string>().find("404"), std::string::npos);
  EXPECT_EQ(missing["files"]["input"]["src"], "files/nothere.jpg");
}

TEST_F(Contract, MethodsAndOtherRoutes) {
  EXPECT_EQ(http(s().url("/graph/crop?input=files%2Fgridbear.jpg"), {.method = "DELETE"}).status, 405);
  EXPECT_EQ(http(s().url("/graphs"), {.method = "POST"}).status, 405);
  const HttpResult graphs = http_get(s().url("/graphs"));
  ASSERT_EQ(graphs.status, 200);
  EXPECT_EQ(graphs.header("content-type"), "application/json");
  const auto j = graphs.json();
  for (const char* g : {"crop", "gradientmap", "gaussianblur", "noop", "canvas", "delaunay_triangles"}) {
    EXPECT_TRUE(j["graphs"].contains(g)) << g;
  }
  EXPECT_EQ(j["graphs"]["gaussianblur"]["inports"]["std-dev-x"]["metadata"]["type"], "number");
  const HttpResult version = http_get(s().url("/version"));
  EXPECT_EQ(version.status, 200);
  EXPECT_TRUE(version.json().contains("server"));
  EXPECT_EQ(http_get(s().url("/health")).json()["status"], "ok");
  const HttpResult file = http_get(s().url("/files/gridbear.jpg"));
  EXPECT_EQ(file.status, 200);
  EXPECT_EQ(file.header("content-type"), "image/jpeg");
  EXPECT_EQ(file.body, read_file(example("gridbear.jpg")));
}

TEST_F(Contract, NoPathTraversal) {
  for (const char* path : {"/cache/..%2F..%2F..%2Fetc%2Fpasswd", "/cache/../../etc/passwd", "/cache/%2e%2e/x",
                           "/cache/" "b5774b2bd2c5c94535432dec55a205a712bc5326.jpg%00.png",
                           "/cache/0000000000000000000000000000000000000000.jpg"}) {
    const HttpResult r = http_get(s().url(path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.header("content-type"), "application/json") << path;
  }
  for (const char* path : {"/files/..%2F..%2Fetc%2Fpasswd", "/files/%2e%2e%2f%2e%2e%2fCMakeLists.txt",
                           "/files/..%252F..%252FREADME.md"}) {
    const HttpResult r = http_get(s().url(path));
    EXPECT_TRUE(r.status == 403 || r.status == 404 || r.status == 400) << path << " " << r.status;
    EXPECT_EQ(r.body.find("imgflo-server"), std::string::npos);
  }
  for (const char* input : {"files%2F..%2F..%2F..%2Fetc%2Fpasswd", "files%2F%252e%252e%2FREADME.md",
                            "files%2F%2Fetc%2Fpasswd"}) {
    const HttpResult r = http_get(s().url(std::string("/graph/passthrough?input=") + input));
    EXPECT_TRUE(r.status == 403 || r.status == 400) << input << " " << r.status << " " << r.body;
  }
}

TEST_F(Contract, NocacheReprocesses) {
  const std::string path = "/graph/passthrough?input=files%2Fgridbear.jpg&_nocache=true";
  ASSERT_EQ(http_get(s().url(path)).status, 301);
  const uint64_t started = metric(s(), "imgflo_jobs_submitted_total");
  ASSERT_EQ(http_get(s().url(path)).status, 301);
  EXPECT_EQ(metric(s(), "imgflo_jobs_submitted_total"), started + 1);
}

TEST_F(Contract, ChainedGraphInputIsResolvedInside) {
  const std::string inner = "graph/crop.png?input=files%2Fgridbear.jpg&cropwidth=40&cropheight=30";
  const HttpResult r = http_get(s().url("/graph/passthrough.png?input=" + percent_encode(inner)));
  ASSERT_EQ(r.status, 301) << r.body;
  const HttpResult outer_image = http_get(topology_->resolve(r.header("location")));
  ASSERT_EQ(outer_image.status, 200);
  // The inner request was stored under its own key on the way (as if requested directly).
  const HttpResult inner_image = http(s().url("/" + inner), {.follow = true});
  ASSERT_EQ(inner_image.status, 200);
  const auto cmp = compare_images(outer_image.body, inner_image.body);
  EXPECT_TRUE(cmp.passes(0.1)) << cmp.describe();
  EXPECT_EQ(cmp.width_a, 40);
  // Nesting is bounded.
  std::string nested = "files/gridbear.jpg";
  for (int i = 0; i < 6; ++i) nested = "graph/passthrough.png?ignored=" + std::to_string(i) + "&input=" + percent_encode(nested);
  const HttpResult deep = http_get(s().url("/graph/passthrough.png?input=" + percent_encode(nested)));
  EXPECT_EQ(deep.status, 400) << deep.body;
  EXPECT_NE(deep.body.find("nested deeper"), std::string::npos) << deep.body;
}

}  // namespace
}  // namespace imgflo::test
