// One compiled graph runs on many threads at once with identical results.
#include "app/runtimes.h"
#include "runtime/catalogue.h"
#include "support/paths.h"

#include <gtest/gtest.h>

#include <thread>

namespace imgflo::runtime {
namespace {

TEST(Concurrency, SameExecutableOnManyThreads) {
  auto cat = Catalogue::load(test::graph_dir(), app::builtin_runtimes());
  ASSERT_TRUE(cat.ok());
  const std::string input = test::read_file(test::example("gridbear.jpg"));
  for (const char* graph : {"gradientmap", "gaussianblur", "halodarken", "croprotate", "retro", "delaunay_triangles"}) {
    const GraphEntry* entry = *(*cat)->find(graph);
    RunRequest req;
    req.out_type = "png";
    req.input = input;
    if (std::string(graph) == "croprotate") req.params = {{"degrees", "30"}, {"cropwidth", "100"}};
    if (std::string(graph) == "delaunay_triangles") req.params = {{"seed", "abc"}};
    auto expected = entry->executable->run(req);
    ASSERT_TRUE(expected.ok()) << graph << ": " << expected.error().message();
    constexpr int kThreads = 8;
    std::vector<std::string> outputs(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 3; ++i) {
          auto out = entry->executable->run(req);
          outputs[t] = out.ok() ? out->bytes : "error: " + out.error().message();
          if (outputs[t] != expected->bytes) return;
        }
        vips_thread_shutdown();
      });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < kThreads; ++t) EXPECT_TRUE(outputs[t] == expected->bytes) << graph << " thread " << t;
  }
}

TEST(Concurrency, WebpAndGifInputsDecode) {
  auto cat = Catalogue::load(test::graph_dir(), app::builtin_runtimes());
  ASSERT_TRUE(cat.ok());
  vips::VImage src = vips::VImage::new_from_file(test::example("gridbear.jpg").c_str());
  void* buf = nullptr;
  size_t len = 0;
  src.write_to_buffer(".webp", &buf, &len, vips::VImage::option()->set("lossless", true));
  const std::string webp(static_cast<char*>(buf), len);
  g_free(buf);
  const GraphEntry* pass = *(*cat)->find("passthrough");
  RunRequest req;
  req.out_type = "png";
  req.input = webp;
  auto out = pass->executable->run(req);
  ASSERT_TRUE(out.ok()) << out.error().message();
  vips::VImage back = vips::VImage::new_from_buffer(out->bytes.data(), out->bytes.size(), "");
  EXPECT_EQ(back.width(), 150);
  EXPECT_LT((back.cast(VIPS_FORMAT_INT) - src.cast(VIPS_FORMAT_INT)).abs().max(), 1.0);  // lossless round trip
  const std::string gif = test::read_file(test::example("time.gif"));  // animated: the first frame
  req.input = gif;
  out = pass->executable->run(req);
  ASSERT_TRUE(out.ok()) << out.error().message();
  back = vips::VImage::new_from_buffer(out->bytes.data(), out->bytes.size(), "");
  EXPECT_EQ(back.width(), 500);
  EXPECT_EQ(back.height(), 500);
}

}  // namespace
}  // namespace imgflo::runtime
