// The web UI's server side without sockets: the debug=1 redirect (Location exactly as the
// original's), the static files of web/ (types, validators, hostile names), the /files/ listing,
// the debug page's JSON (typed parameters with the real catalogue, job phases) and RecentJobs.
#include "http/debug_info.h"
#include "http/debug_redirect.h"
#include "http/web_ui.h"
#include "jobs/recent_jobs.h"
#include "core_services_util.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

namespace imgflo::http {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<std::string> header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::optional<std::string> redirect_of(const std::string& method, const std::string& target) {
  HttpRequest req;
  req.method = method;
  req.target = target;
  auto r = debug_redirect(req);
  if (!r) return std::nullopt;
  EXPECT_EQ(r->status, 302);
  return header(*r, "Location");
}

TEST(DebugRedirect, UnsignedHasTheOriginalsDoubleSlashAndKeepsTheRawQuery) {
  EXPECT_EQ(redirect_of("GET", "/graph/crop.jpg?input=files/x.jpg&debug=1&width=%2010"),
            "/debug/graph//crop.jpg/?input=files/x.jpg&debug=1&width=%2010");
  EXPECT_EQ(redirect_of("HEAD", "/graph/crop?debug=1"), "/debug/graph//crop/?debug=1");
}

TEST(DebugRedirect, SignedKeepsKeyAndToken) {
  EXPECT_EQ(redirect_of("GET", "/graph/KEY/0123abcd/gradientmap.png?color1=%23fff&debug=yes"),
            "/debug/graph/KEY/0123abcd/gradientmap.png/?color1=%23fff&debug=yes");
}

TEST(DebugRedirect, AnyNonEmptyValueOrARepeatedNameCountsAsNodeSaw) {
  EXPECT_TRUE(redirect_of("GET", "/graph/crop?debug=0"));
  EXPECT_TRUE(redirect_of("GET", "/graph/crop?debug=+"));         // a space
  EXPECT_TRUE(redirect_of("GET", "/graph/crop?%64ebug=1"));       // the name decoded
  EXPECT_TRUE(redirect_of("GET", "/graph/crop?debug=&debug="));   // an array: truthy
  EXPECT_FALSE(redirect_of("GET", "/graph/crop?debug="));
  EXPECT_FALSE(redirect_of("GET", "/graph/crop?debug"));
  EXPECT_FALSE(redirect_of("GET", "/graph/crop?debugx=1&xdebug=1"));
  EXPECT_FALSE(redirect_of("GET", "/graph/crop"));
}

TEST(DebugRedirect, OnlyGetAndHeadOfProcessingUrls) {
  EXPECT_FALSE(redirect_of("POST", "/graph/crop?debug=1"));  // an ordinary (unknown) parameter there
  EXPECT_FALSE(redirect_of("GET", "/graphs?debug=1"));
  EXPECT_FALSE(redirect_of("GET", "/graph/a/b/c/d/e?debug=1"));  // not a processing URL: the handler's 404
}

class WebFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = test::scratch_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    test::write_file(root_ / "index.html", "<!doctype html><title>x</title>");
    test::write_file(root_ / "app.js", "console.log(1)");
    test::write_file(root_ / "notes.txt", "not served");
    test::write_file(root_ / ".hidden.js", "hidden");
    test::write_file(root_.parent_path() / (root_.filename().string() + "-secret.js"), "outside");
    fs::create_symlink(root_.parent_path() / (root_.filename().string() + "-secret.js"), root_ / "link.js");
    fs::create_directory(root_ / "sub.js");
  }
  fs::path root_;
};

TEST_F(WebFiles, ServesByExtensionWithAValidatorAndAPolicyOnPages) {
  HttpResponse page = static_file(root_, "index.html", "");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<!doctype html><title>x</title>");
  EXPECT_EQ(header(page, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(header(page, "Cache-Control"), "no-cache");
  EXPECT_TRUE(header(page, "Content-Security-Policy").value_or("").starts_with("default-src 'self'"));
  HttpResponse script = static_file(root_, "app.js", "");
  EXPECT_EQ(header(script, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_FALSE(header(script, "Content-Security-Policy"));
  const std::string etag = header(script, "ETag").value_or("");
  ASSERT_FALSE(etag.empty());
  HttpResponse again = static_file(root_, "app.js", etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  test::write_file(root_ / "app.js", "console.log(22)");
  EXPECT_EQ(static_file(root_, "app.js", etag).status, 200);  // changed: a new validator
}

TEST_F(WebFiles, HostileNamesAndOtherFilesAre404) {
  for (const std::string name : {"../index.html", "..", ".", "%2e%2e/index.html", "sub/../app.js", "/etc/passwd",
                                 "..\\app.js", ".hidden.js", "notes.txt", "link.js", "sub.js", "missing.js", "",
                                 "app.js%00", "app.js?x"}) {
    HttpResponse r = static_file(root_, name, "");
    EXPECT_EQ(r.status, 404) << name;
    EXPECT_EQ(r.body.find("outside"), std::string::npos) << name;
  }
  EXPECT_EQ(static_file(root_, std::string("index.html\0x", 12), "").status, 404);
  EXPECT_EQ(static_file(root_, std::string(200, 'a') + ".js", "").status, 404);
  EXPECT_EQ(static_file(root_ / "nonexistent", "index.html", "").status, 404);
}

TEST_F(WebFiles, ListingNamesRegularFilesSortedWithTypeAndBytes) {
  const json listing = json::parse(file_listing(root_).body);
  std::vector<std::string> names;
  for (const auto& f : listing["files"]) names.push_back(f["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"app.js", "index.html", "link.js", "notes.txt"}));
  EXPECT_EQ(listing["files"][0]["bytes"], 14);
  EXPECT_EQ(json::parse(file_listing(root_ / "nonexistent").body)["files"], json::array());
  const json examples = json::parse(file_listing(test::source_dir() / "examples").body);
  bool found = false;
  for (const auto& f : examples["files"]) found = found || (f["name"] == "grid-toastybob.jpg" && f["type"] == "image/jpeg");
  EXPECT_TRUE(found);
}

TEST(WebUi, AcceptsHtml) {
  EXPECT_TRUE(accepts_html("text/html,application/xhtml+xml,*/*;q=0.8"));
  EXPECT_FALSE(accepts_html("*/*"));
  EXPECT_FALSE(accepts_html("application/json"));
}

json describe(const std::string& target) {
  const runtime::Catalogue* catalogue = test::shared_catalogue();
  EXPECT_NE(catalogue, nullptr);
  HttpResponse r = describe_graph_request(*catalogue, target, 25);
  EXPECT_EQ(r.status, 200) << r.body;
  return json::parse(r.body);
}

TEST(DebugParams, ValuesAfterConversion) {
  const json d = describe("/graph/gradientmap.png?input=files/a.jpg&color1=red&stop2=7&srgb=TRUE&width=30");
  EXPECT_EQ(d["status"], 200);
  EXPECT_EQ(d["graph"], "gradientmap");
  EXPECT_EQ(d["out_type"], "png");
  EXPECT_EQ(d["input"], "files/a.jpg");
  EXPECT_EQ(d["cache_key"], request::parse_graph_request("/graph/gradientmap.png?input=files/a.jpg&color1=red&stop2=7&srgb=TRUE&width=30")->cache_key);
  ASSERT_EQ(d["params"].size(), 4u);
  EXPECT_EQ(d["params"][0], json({{"name", "color1"}, {"text", "red"}, {"type", "color"}, {"value", "#ff0000ff"}}));
  EXPECT_EQ(d["params"][1]["value"], 7.0);
  EXPECT_EQ(d["params"][2]["value"], true);
  EXPECT_EQ(d["params"][3]["type"], "int");  // universal: the runtime reads it
  EXPECT_EQ(d["params"][3]["value"], nullptr);
}

TEST(DebugParams, ClampedNumbersEnumNicksAndRefusals) {
  const json d = describe("/graph/gradientmap?input=files/a.jpg&opacity=99&color2=nonsense");
  EXPECT_EQ(d["params"][0]["value"], 10.0);  // clamped to the maximum
  EXPECT_EQ(d["params"][1]["value"], nullptr);
  EXPECT_EQ(d["params"][1]["error"]["code"], 400);
  EXPECT_EQ(d["status"], 400);
  EXPECT_EQ(d["error"]["parameter"], "color2");
}

TEST(DebugParams, TheHandlersErrorsInOrder) {
  EXPECT_EQ(describe("/graph/gradientmap?nosuch=1")["status"], 449);
  EXPECT_EQ(describe("/graph/nosuchgraph?x=1")["status"], 404);
  EXPECT_EQ(describe("/graph/gradientmap.tiff")["status"], 449);
  EXPECT_EQ(describe("/graph/gradientmap?width=100000&height=100000")["status"], 422);
  EXPECT_EQ(describe_graph_request(*test::shared_catalogue(), "/graphs", 25).status, 404);
}

TEST(RecentJobs, KeepsTheLastLinePerKeyAndForgetsTheOldestKeys) {
  jobs::RecentJobs recent(3);
  recent.add("a", {{"n", 1}});
  recent.add("b", {{"n", 2}});
  recent.add("a", {{"n", 3}});  // replaces a's line; a is now the newest
  recent.add("c", {{"n", 4}});
  recent.add("d", {{"n", 5}});  // b is the oldest key: forgotten
  EXPECT_FALSE(recent.find("b"));
  EXPECT_EQ(recent.find("a"), json({{"n", 3}}));
  EXPECT_EQ(recent.find("d"), json({{"n", 5}}));
  for (int i = 0; i < 100; ++i) recent.add("a", {{"n", i}});  // repeats forget nothing else
  EXPECT_EQ(recent.find("a"), json({{"n", 99}}));
  EXPECT_TRUE(recent.find("c") && recent.find("d"));
}

TEST(DebugJob, TheRecordedLineOr404) {
  jobs::JobMetrics metrics({"crop"});
  EXPECT_EQ(describe_job(nullptr, "k.png").status, 404);
  EXPECT_EQ(describe_job(&metrics, "k.png").status, 404);
  metrics.recent().add("k.png", {{"process_ms", 12.5}, {"outcome", "ok"}});
  HttpResponse r = describe_job(&metrics, "k.png");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["process_ms"], 12.5);
}

}  // namespace
}  // namespace imgflo::http
