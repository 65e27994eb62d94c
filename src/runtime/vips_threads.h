// libvips threads per pipeline: the CPUs shared among the runs in progress.
//
// libvips evaluates each pipeline on a pool of vips_concurrency_get()
// threads (the CPUs by default). For the small, sequential work of most
// requests (decode, shrink, encode a thumbnail) the extra threads of one
// pipeline mostly hand rows to each other; when several runs are in progress
// they compete for the same cores and the hand-offs cost throughput
// (bench/RESULTS.md, "Thumbnail throughput"). So every run counts itself
// while it is in progress (RunInProgress), and each pipeline it evaluates is
// given compute_threads() / runs-in-progress threads, at least one: a lone
// large job still uses every core, eight small ones use one each.
//
// The share is a hint on the image evaluated (libvips' per-image
// "concurrency" metadata, which libvips copies down the pipeline to the
// image its sink runs on). libvips' global setting is never changed: it is a
// plain global that running thread pools read.
#pragma once

#include <vips/vips8>

namespace imgflo::runtime {

// RAII: counts one run in progress for as long as it lives. Thread-safe.
class RunInProgress {
 public:
  RunInProgress();
  ~RunInProgress();
  RunInProgress(const RunInProgress&) = delete;
  RunInProgress& operator=(const RunInProgress&) = delete;
};

// Runs in progress now (live RunInProgress objects).
int runs_in_progress();

// Threads for a pipeline evaluated now: compute_threads() divided by the
// runs in progress (rounded down), at least 1; compute_threads() when none.
int pipeline_threads();

// `img` as a new image (a libvips copy: no pixels are copied) carrying the
// concurrency hint pipeline_threads(). `img` itself is not changed (its
// metadata may be read by other threads).
vips::VImage with_pipeline_threads(const vips::VImage& img);

}  // namespace imgflo::runtime
