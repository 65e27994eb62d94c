// The local cache folder when this server alone writes and serves it (embedded
// jobs, IMGFLO_CACHE=local): results are fsynced and renamed under their key in
// the background after the 301 (storage/local_storage.h, Durability::kBackground).
// A 301's location answers at once, and a graceful stop publishes every result
// answered before it, leaving no temporaries.
#include "e2e/e2e_util.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace imgflo::test {
namespace {

namespace fs = std::filesystem;

// Files under `cache` (its staging folder included) that are temporaries.
std::vector<std::string> publication_leftovers(const fs::path& cache) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(cache)) {
    if (e.path().filename().string().starts_with(".tmp-")) found.push_back(e.path().string());
  }
  return found;
}

TEST(BackgroundPublication, ResultsAnsweredBeforeAStopAreInTheFolderAfterIt) {
  constexpr int kResults = 8;
  ServerProcess server("background-publication");
  std::vector<std::pair<std::string, std::string>> answered;  // key, bytes served at its location
  for (int i = 0; i < kResults; ++i) {
    const HttpResult r =
        http_get(server.url("/graph/passthrough.png?input=files%2Fgridbear.jpg&ignored=publication-" + std::to_string(i)));
    ASSERT_EQ(r.status, 301) << r.body;
    const std::string path = location_path(r.header("location"));
    const HttpResult stored = http_get(server.url(path));  // at once, published or not
    ASSERT_EQ(stored.status, 200) << path;
    ASSERT_FALSE(stored.body.empty());
    answered.emplace_back(path.substr(path.rfind('/') + 1), stored.body);
  }
  server.terminate();
  const fs::path cache = server.workdir() / "cache";
  for (const auto& [key, bytes] : answered) {
    ASSERT_TRUE(fs::is_regular_file(cache / key)) << key << " was answered but is not in the folder after the stop";
    EXPECT_EQ(read_file(cache / key), bytes) << key;
  }
  EXPECT_EQ(publication_leftovers(cache), std::vector<std::string>{});
}

}  // namespace
}  // namespace imgflo::test
