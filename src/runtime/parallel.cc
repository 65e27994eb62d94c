#include "runtime/parallel.h"

#include "core/guard.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace imgflo::runtime {

namespace {

int cpu_count() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

// The shared state of one parallel_for call: the next job to hand out, whether
// to stop handing them out, and the first exception's Error.
class ForkJoin {
 public:
  ForkJoin(int jobs, const Stop& stop, const std::function<void(int, int)>& fn) : jobs_(jobs), stop_(stop), fn_(fn) {}

  // One thread's share: claims jobs until none is left or the call stops.
  void work(int worker) {
    auto error = run_guarded("parallel job", [&] { run_jobs(worker); });
    if (!error) return;
    stopped_.store(true, std::memory_order_relaxed);
    std::lock_guard lock(failure_mutex_);
    if (!failure_) failure_ = std::move(error);
  }

  // After every thread has been joined.
  std::optional<Error> result() {
    if (failure_) return std::move(failure_);
    return stop_.check();
  }

 private:
  void run_jobs(int worker) {
    for (int j = next_.fetch_add(1); j < jobs_ && !stopped_.load(std::memory_order_relaxed); j = next_.fetch_add(1)) {
      if (stop_.requested()) {
        stopped_.store(true, std::memory_order_relaxed);
        return;
      }
      fn_(j, worker);
    }
  }

  const int jobs_;
  const Stop& stop_;
  const std::function<void(int, int)>& fn_;
  std::atomic<int> next_{0};
  std::atomic<bool> stopped_{false};
  std::mutex failure_mutex_;
  std::optional<Error> failure_;
};

// Helper threads borrowed from a budget, given back on destruction (after
// the threads, declared later, have been joined).
class BorrowedThreads {
 public:
  BorrowedThreads(ThreadBudget& budget, int wanted) : budget_(budget), count_(budget.borrow(wanted)) {}
  ~BorrowedThreads() { budget_.give_back(count_); }
  BorrowedThreads(const BorrowedThreads&) = delete;
  BorrowedThreads& operator=(const BorrowedThreads&) = delete;
  int count() const { return count_; }

 private:
  ThreadBudget& budget_;
  const int count_;
};

}  // namespace

int ThreadBudget::borrow(int wanted) {
  if (wanted <= 0) return 0;
  int used = in_use_.load(std::memory_order_relaxed);
  for (;;) {
    const int take = std::min(wanted, max() - used);
    if (take <= 0) return 0;
    if (in_use_.compare_exchange_weak(used, used + take, std::memory_order_acq_rel)) return take;
  }
}

void ThreadBudget::give_back(int n) {
  if (n > 0) in_use_.fetch_sub(n, std::memory_order_acq_rel);
}

void ThreadBudget::set_max(int max) { max_.store(std::max(0, max), std::memory_order_relaxed); }

ThreadBudget& compute_budget() {
  static ThreadBudget budget(cpu_count());
  return budget;
}

void set_compute_threads(int n) { compute_budget().set_max(n > 0 ? n : cpu_count()); }

int compute_threads() { return std::max(1, compute_budget().max()); }

int parallel_workers(int jobs) { return jobs <= 0 ? 0 : std::min(jobs, compute_threads()); }

std::optional<Error> parallel_for(int jobs, const Stop& stop, const std::function<void(int, int)>& fn,
                                  int max_workers) {
  const int workers = std::min(parallel_workers(jobs), max_workers);
  if (workers <= 0) return stop.check();
  ForkJoin join(jobs, stop, fn);
  BorrowedThreads borrowed(compute_budget(), workers - 1);
  {
    std::vector<std::jthread> helpers;
    for (int w = 1; w <= borrowed.count(); ++w) {
      try {
        helpers.emplace_back([&join, w] { join.work(w); });
      } catch (const std::exception&) {  // std::system_error, std::bad_alloc
        break;  // fewer threads: the ones running take every job
      }
    }
    join.work(0);
  }  // joins the helpers; `borrowed` gives them back after
  return join.result();
}

std::optional<Error> parallel_rows(int rows, const Stop& stop, const std::function<void(int)>& body) {
  return parallel_for(rows, stop, [&body](int y, int) { body(y); });
}

}  // namespace imgflo::runtime
