// LocalFileFetcher: files/NAME inputs from the resource folder, traversal
// refusals, the original's 504/404 for missing files, and the InputFetcher
// routing between local and remote fetchers.
#include "core/query.h"
#include "fetch/local_files.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace imgflo::fetch {
namespace {

namespace fs = std::filesystem;

class LocalFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    base_ = test::scratch_dir(std::string("local_files_") + info->name());
    root_ = base_ / "resources";
    fs::create_directories(root_ / "sub");
    test::write_file(root_ / "a b.png", "spaced");
    test::write_file(root_ / "sub" / "in.jpg", "nested");
    test::write_file(base_ / "outside.txt", "secret");
  }
  Result<Fetched> get(const std::string& ref, FetchOptions options = {}) {
    return LocalFileFetcher(root_).fetch(ref, options, {});
  }
  fs::path base_, root_;
};

TEST_F(LocalFiles, ReadsBundledExample) {
  LocalFileFetcher examples(test::source_dir() / "examples");
  auto r = examples.fetch("files/grid-toastybob.jpg", {}, {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, test::read_file(test::example("grid-toastybob.jpg")));
  EXPECT_EQ(r->content_type, "image/jpeg");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->final_url, "files/grid-toastybob.jpg");
  auto png = examples.fetch("files/mountains.png?cachebust=1#frag", {}, {});  // query and fragment ignored
  ASSERT_TRUE(png.ok()) << png.error().message();
  EXPECT_EQ(png->content_type, "image/png");
  EXPECT_EQ(png->bytes, test::read_file(test::example("mountains.png")));
}

TEST_F(LocalFiles, DecodesPercentEscapesOnceAndFollowsNesting) {
  auto r = get("files/a%20b.png");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, "spaced");
  r = get("files/sub%2Fin.jpg");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, "nested");
}

TEST_F(LocalFiles, MissingFileIsDownloadFailureNaming404) {
  for (const char* ref : {"files/nope.jpg", "files/sub", "files/", "files/sub/nope/deeper.png"}) {
    auto r = get(ref);
    ASSERT_FALSE(r.ok()) << ref;
    const Error& e = r.error();
    EXPECT_EQ(e.kind(), ErrorKind::kDownloadFailed) << ref;
    EXPECT_EQ(e.status(), 504);
    EXPECT_EQ(e.message(), std::string("Failed to download input ") + ref + ": HTTP error 404");
    EXPECT_EQ(e.details()["upstream_status"], 404);
    EXPECT_EQ(e.details()["files"]["input"]["src"], ref);
  }
}

TEST_F(LocalFiles, TraversalVariantsAreForbidden) {
  const std::string outside = "../outside.txt";
  ASSERT_TRUE(fs::exists(root_ / outside));  // each variant would reach a real file
  const std::vector<std::string> refs = {
      "files/../outside.txt", "files/sub/../../outside.txt", "files/%2e%2e/outside.txt", "files/..%2Foutside.txt",
      "files/%2E%2E%2Foutside.txt", "files/sub/%2e%2e/%2e%2e/outside.txt", "files/%252e%252e/outside.txt",
      "files//etc/passwd", "files/%2Fetc%2Fpasswd", "files/..\\outside.txt", "files/.", "files/./a b.png",
      "files/a%00.png", std::string("files/a b.png\0.jpg", 18)};
  for (const std::string& ref : refs) {
    auto r = get(ref);
    ASSERT_FALSE(r.ok()) << ref;
    EXPECT_EQ(r.error().kind(), ErrorKind::kForbidden) << ref << ": " << r.error().message();
    EXPECT_EQ(r.error().status(), 403);
  }
}

TEST_F(LocalFiles, SymlinksMayNotEscapeTheRoot) {
  fs::create_symlink(base_ / "outside.txt", root_ / "escape.txt");
  fs::create_directory_symlink(base_, root_ / "up");
  fs::create_symlink(root_ / "sub" / "in.jpg", root_ / "alias.jpg");  // inside: fine
  for (const char* ref : {"files/escape.txt", "files/up/outside.txt"}) {
    auto r = get(ref);
    ASSERT_FALSE(r.ok()) << ref;
    EXPECT_EQ(r.error().kind(), ErrorKind::kForbidden) << ref;
  }
  auto r = get("files/alias.jpg");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->bytes, "nested");
}

TEST_F(LocalFiles, MalformedEscapesAreInvalid) {
  for (const char* ref : {"files/%zz.png", "files/a%2", "files/a%"}) {
    auto r = get(ref);
    ASSERT_FALSE(r.ok()) << ref;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidArgument) << ref;
  }
  EXPECT_EQ(imgflo::percent_decode_strict("a%41%2f"), "aA/");
  EXPECT_FALSE(imgflo::percent_decode_strict("%4").has_value());
}

TEST_F(LocalFiles, SizeLimitAndStop) {
  FetchOptions options;
  options.max_bytes = 5;
  auto r = get("files/sub/in.jpg", options);  // 6 bytes
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTooLarge);
  options.max_bytes = 6;
  EXPECT_TRUE(get("files/sub/in.jpg", options).ok());

  Stop stop;
  stop.token.cancel();
  auto cancelled = LocalFileFetcher(root_).fetch("files/sub/in.jpg", {}, stop);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.error().kind(), ErrorKind::kCancelled);
}

TEST_F(LocalFiles, MissingRootReports404) {
  LocalFileFetcher nowhere(base_ / "does-not-exist");
  auto r = nowhere.fetch("files/a b.png", {}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kDownloadFailed);
  EXPECT_EQ(r.error().details()["upstream_status"], 404);
}

// Records which references reach it.
class RecordingFetcher final : public Fetcher {
 public:
  Result<Fetched> fetch(const std::string& url, const FetchOptions&, const Stop&) override {
    seen.push_back(url);
    return Fetched{"remote", url, "image/png", 200};
  }
  std::vector<std::string> seen;
};

TEST_F(LocalFiles, InputFetcherRoutesByReference) {
  LocalFileFetcher local(root_);
  RecordingFetcher remote;
  InputFetcher input(local, remote);
  auto r = input.fetch("files/sub/in.jpg", {}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->bytes, "nested");
  for (const char* url : {"http://example.com/files/x.png", "https://example.com/a.jpg", "ftp://x/files/y"})
    EXPECT_TRUE(input.fetch(url, {}, {}).ok());
  EXPECT_EQ(remote.seen, (std::vector<std::string>{"http://example.com/files/x.png", "https://example.com/a.jpg",
                                                   "ftp://x/files/y"}));
}

}  // namespace
}  // namespace imgflo::fetch
