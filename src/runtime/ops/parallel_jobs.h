// A small fork-join helper for ops that compute in C++ loops: independent
// jobs (row groups, column blocks) shared among a few threads.
//
// The caller's thread works too; at most kMaxWorkers threads run, never more
// than there are jobs. Jobs are handed out one at a time, so a slow core does
// not hold the others back. `stop` is polled before every job; once it fires
// no new job starts and the Stop's Error is returned.
//
// Jobs must not throw (allocate scratch before, per worker index) and must
// write disjoint memory.
#pragma once

#include "core/deadline.h"
#include "core/error.h"

#include <functional>
#include <optional>

namespace imgflo::runtime::ops {

inline constexpr int kMaxWorkers = 4;

// Number of workers parallel_jobs uses for `jobs` jobs (>= 1 when jobs > 0).
int parallel_workers(int jobs);

// Calls job(j, worker) for every j in [0, jobs); worker is in [0, parallel_workers(jobs)).
std::optional<Error> parallel_jobs(int jobs, const Stop& stop, const std::function<void(int job, int worker)>& job);

}  // namespace imgflo::runtime::ops
