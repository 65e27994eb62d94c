// A small, bounded pool of threads that runs posted tasks in the background
// (storage uses it to fsync and publish results after the caller has moved on).
//
// try_post() never blocks: it refuses (returns false) when `limit` tasks are
// already waiting, and the caller then does the work itself — the bound keeps
// the backlog (and what a crash can lose) small. Tasks run in the order
// posted, up to `threads` at a time; a task must not throw (one that does is
// logged and dropped). drain() waits until every task posted before it has
// finished; the destructor runs every posted task, then joins. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace imgflo::storage {

class BackgroundTasks final {
 public:
  // REQUIRES: threads >= 1, limit >= 1.
  BackgroundTasks(int threads, size_t limit);
  ~BackgroundTasks();
  BackgroundTasks(const BackgroundTasks&) = delete;
  BackgroundTasks& operator=(const BackgroundTasks&) = delete;

  // Queues `task`; false (and `task` untouched) when `limit` tasks are waiting.
  bool try_post(std::function<void()>& task);
  // Returns once no task is waiting or running.
  void drain();

 private:
  void run();

  const size_t limit_;
  std::mutex mu_;
  std::condition_variable wake_;                 // a task was posted, or stopping_
  std::condition_variable idle_;                 // waiting_ and running_ both reached 0
  std::deque<std::function<void()>> waiting_;    // guarded by mu_
  size_t running_ = 0;                           // guarded by mu_
  bool stopping_ = false;                        // guarded by mu_
  std::vector<std::thread> threads_;             // constant after construction
};

}  // namespace imgflo::storage
