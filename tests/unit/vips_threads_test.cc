// runtime/vips_threads.h: libvips threads per pipeline shared among the runs in progress.
#include "runtime/vips_threads.h"

#include "runtime/parallel.h"

#include <gtest/gtest.h>
#include <vips/vips8>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace imgflo::runtime {
namespace {

class VipsThreads : public ::testing::Test {
 protected:
  void SetUp() override {
    set_compute_threads(4);
    ASSERT_EQ(runs_in_progress(), 0);
  }
  void TearDown() override { set_compute_threads(0); }
};

TEST_F(VipsThreads, ShareIsComputeThreadsDividedByRunsInProgress) {
  EXPECT_EQ(pipeline_threads(), 4);
  {
    const RunInProgress one;
    EXPECT_EQ(runs_in_progress(), 1);
    EXPECT_EQ(pipeline_threads(), 4);
    const RunInProgress two;
    EXPECT_EQ(pipeline_threads(), 2);
    const RunInProgress three;
    EXPECT_EQ(pipeline_threads(), 1);  // 4 / 3 rounded down
    std::vector<std::unique_ptr<RunInProgress>> more;
    for (int i = 0; i < 6; ++i) more.push_back(std::make_unique<RunInProgress>());
    EXPECT_EQ(runs_in_progress(), 9);
    EXPECT_EQ(pipeline_threads(), 1);  // never 0
  }
  EXPECT_EQ(runs_in_progress(), 0);
  EXPECT_EQ(pipeline_threads(), 4);
}

TEST_F(VipsThreads, RunsCountedFromManyThreads) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < 1000; ++i) {
        const RunInProgress run;
        EXPECT_GE(pipeline_threads(), 1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(runs_in_progress(), 0);
}

TEST_F(VipsThreads, HintIsOnTheCopyAndFollowsThePipelineDown) {
  const vips::VImage img = vips::VImage::black(32, 32);
  const RunInProgress one;
  const RunInProgress two;
  const vips::VImage hinted = with_pipeline_threads(img);
  EXPECT_EQ(vips_image_get_concurrency(hinted.get_image(), 99), 2);
  EXPECT_EQ(vips_image_get_concurrency(img.get_image(), 99), 99);  // the original is untouched
  const vips::VImage derived = hinted.invert().cast(VIPS_FORMAT_FLOAT);
  EXPECT_EQ(vips_image_get_concurrency(derived.get_image(), 99), 2);
}

// A libvips image whose tiles record the threads that computed them. The
// first tile waits (bounded) for a tile computed on another thread, so when
// the pool has two or more threads both are seen at once.
struct Rendezvous {
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::thread::id> threads;
  bool met = false;
  bool waited = false;  // only the first tile waits
};

int record_thread(VipsRegion* out, void*, void*, void* state, gboolean*) {
  auto* r = static_cast<Rendezvous*>(state);
  std::unique_lock lock(r->mu);
  r->threads.insert(std::this_thread::get_id());
  if (r->threads.size() >= 2) {
    r->met = true;
    r->cv.notify_all();
  } else if (!r->waited) {
    r->waited = true;
    r->cv.wait_for(lock, std::chrono::milliseconds(500), [&] { return r->met; });
  }
  vips_region_black(out);
  return 0;
}

// Distinct threads that computed the tiles of a 16×4096 image evaluated to
// memory, with the pipeline's hint from the runs in progress.
size_t threads_used(int runs) {
  Rendezvous r;
  VipsImage* raw = vips_image_new();
  vips_image_init_fields(raw, 16, 4096, 1, VIPS_FORMAT_UCHAR, VIPS_CODING_NONE, VIPS_INTERPRETATION_B_W, 1, 1);
  vips_image_pipelinev(raw, VIPS_DEMAND_STYLE_THINSTRIP, nullptr);
  EXPECT_EQ(vips_image_generate(raw, nullptr, record_thread, nullptr, nullptr, &r), 0);
  const vips::VImage img(raw);
  std::vector<std::unique_ptr<RunInProgress>> counted;
  for (int i = 0; i < runs; ++i) counted.push_back(std::make_unique<RunInProgress>());
  with_pipeline_threads(img).copy_memory();
  return r.threads.size();
}

TEST_F(VipsThreads, LibvipsEvaluatesWithTheShare) {
  set_compute_threads(2);
  EXPECT_EQ(threads_used(1), 2u);  // a lone run: two threads meet
  EXPECT_EQ(threads_used(2), 1u);  // two runs on two threads: one each
}

}  // namespace
}  // namespace imgflo::runtime
