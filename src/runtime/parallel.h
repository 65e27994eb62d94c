// The one fork-join helper of the runtime, under a process-wide thread budget.
//
// Ops that compute in C++ loops (IIR/FIR blurs, Sobel, c2g, noise filters)
// split their work into independent jobs (row groups, column strips, rows)
// and hand them to parallel_for:
//
//   const int workers = parallel_workers(jobs);           // size per-worker scratch first
//   std::vector<Scratch> scratch(workers, Scratch(size));
//   if (auto e = parallel_for(jobs, stop, [&](int job, int worker) { ... scratch[worker] ... }, workers))
//     return *e;
//
// Threads. The calling thread always works. Helper threads are borrowed from
// one process-wide ThreadBudget (compute_budget()) without blocking: a call
// takes what is free, up to compute_threads() - 1 helpers and never more than
// the jobs need, starts them, and gives them back when they have been joined.
// So however many job workers run ops at once, the process never has more
// than compute_threads() helper threads computing at the same time (plus the
// callers themselves, which exist anyway). When the budget is exhausted a call
// runs every job on its calling thread alone; it does not wait for helpers and
// does not pick up helpers freed later. Threads are started per call (no
// persistent pool: a thread start costs tens of microseconds, a job batch
// milliseconds or more).
//
// Scheduling. Jobs are handed out one at a time (next unclaimed index), so a
// slow thread does not hold the others back; every job in [0, jobs) runs
// exactly once unless the call stops early.
//
// Stop. `stop.requested()` is polled before every job; once it fires no new
// job starts. After all threads are joined the call returns stop.check(), so
// a stop that a job noticed itself (and cut its work short for) is reported
// too.
//
// Errors. Jobs should not throw (allocate scratch before the call, indexed by
// `worker`). An exception that does escape a job is caught by the thread's
// barrier (core/guard.h run_guarded: logged with an error id): no new job
// starts, all threads are joined, and the first such exception is returned
// as a kInternal Error. When a helper thread cannot be started, the threads
// already running do all the work. parallel_for itself never throws.
//
// Row form. parallel_rows(rows, stop, body(y)) is parallel_for without the
// worker index (float images computed row by row, runtime/float_pixels.h).
//
// Ownership. `fn` and everything it captures are borrowed for the duration
// of the call only; no thread outlives the call.
#pragma once

#include "core/deadline.h"
#include "core/error.h"

#include <atomic>
#include <climits>
#include <functional>
#include <optional>

namespace imgflo::runtime {

// A counting budget of threads shared by every caller in the process.
// Thread-safe; never blocks.
class ThreadBudget {
 public:
  explicit ThreadBudget(int max) : max_(max < 0 ? 0 : max) {}
  ThreadBudget(const ThreadBudget&) = delete;
  ThreadBudget& operator=(const ThreadBudget&) = delete;

  // Takes up to `wanted` threads from what is free now; returns how many
  // (0 when the budget is exhausted or wanted <= 0).
  int borrow(int wanted);
  // Returns `n` threads taken by borrow().
  void give_back(int n);

  int max() const { return max_.load(std::memory_order_relaxed); }
  // A new maximum (>= 0). Lowering it does not take threads back: borrow()
  // gives nothing until enough have been returned.
  void set_max(int max);
  // Threads borrowed and not yet given back.
  int in_use() const { return in_use_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int> max_;
  std::atomic<int> in_use_{0};
};

// The process-wide budget parallel_for borrows helper threads from. Its
// maximum is compute_threads().
ThreadBudget& compute_budget();

// Sets the number of compute threads: the maximum of helper threads in the
// whole process, and of threads (its own included) one parallel_for uses.
// n <= 0 restores the default, the number of CPUs. Call at start-up, before
// the job workers start (a change affects only later calls).
void set_compute_threads(int n);
// The current setting (>= 1).
int compute_threads();

// The most threads (hence worker indices) parallel_for uses for `jobs` jobs:
// min(jobs, compute_threads()); 0 when jobs <= 0.
int parallel_workers(int jobs);

// Calls fn(job, worker) once for every job in [0, jobs) on the calling thread
// plus borrowed helpers (see above), at most max_workers threads in all;
// `worker` is in [0, min(max_workers, parallel_workers(jobs))) and no two
// threads share one at the same time. Returns the first exception's Error,
// otherwise stop.check().
std::optional<Error> parallel_for(int jobs, const Stop& stop, const std::function<void(int job, int worker)>& fn,
                                  int max_workers = INT_MAX);

// The row form, for bodies that need no per-worker scratch: body(y) once for
// every y in [0, rows), as parallel_for. A body may poll `stop` itself to cut
// a long row short; the stop is still reported.
std::optional<Error> parallel_rows(int rows, const Stop& stop, const std::function<void(int y)>& body);

}  // namespace imgflo::runtime
