#include "runtime/ops/parallel_jobs.h"

#include "core/guard.h"

#include <algorithm>
#include <mutex>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace imgflo::runtime::ops {

int parallel_workers(int jobs) {
  if (jobs <= 0) return 0;
  const int hw = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  return std::min({hw, kMaxWorkers, jobs});
}

std::optional<Error> parallel_jobs(int jobs, const Stop& stop, const std::function<void(int, int)>& job) {
  const int workers = parallel_workers(jobs);
  if (workers == 0) return stop.check();
  std::atomic<int> next{0};
  std::atomic<bool> stopped{false};
  std::mutex failure_mutex;
  std::optional<Error> failure;  // the first exception a job let out (a bug: jobs must not throw)
  auto work = [&](int worker) {
    auto error = run_guarded("parallel job", [&] {
      for (int j = next++; j < jobs && !stopped.load(std::memory_order_relaxed); j = next++) {
        if (stop.requested()) {
          stopped = true;
          return;
        }
        job(j, worker);
      }
    });
    if (!error) return;
    stopped = true;
    std::lock_guard lock(failure_mutex);
    if (!failure) failure = std::move(error);
  };
  {
    std::vector<std::jthread> pool;
    for (int w = 1; w < workers; ++w) {
      try {
        pool.emplace_back(work, w);
      } catch (const std::system_error&) {
        break;  // fewer threads: the ones running take all jobs
      }
    }
    work(0);
  }  // joins the pool
  if (failure) return failure;
  if (!stopped) return std::nullopt;
  if (auto e = stop.check()) return e;
  return Error(ErrorKind::kCancelled, "processing was cancelled");
}

}  // namespace imgflo::runtime::ops
