#include "runtime/vips_threads.h"

#include "runtime/parallel.h"

#include <algorithm>
#include <atomic>

namespace imgflo::runtime {

namespace {

std::atomic<int>& running() {
  static std::atomic<int> count{0};
  return count;
}

}  // namespace

RunInProgress::RunInProgress() { running().fetch_add(1, std::memory_order_relaxed); }

RunInProgress::~RunInProgress() { running().fetch_sub(1, std::memory_order_relaxed); }

int runs_in_progress() { return running().load(std::memory_order_relaxed); }

int pipeline_threads() {
  const int runs = std::max(1, runs_in_progress());
  return std::max(1, compute_threads() / runs);
}

vips::VImage with_pipeline_threads(const vips::VImage& img) {
  vips::VImage hinted = img.copy();
  hinted.set(VIPS_META_CONCURRENCY, pipeline_threads());
  return hinted;
}

}  // namespace imgflo::runtime
