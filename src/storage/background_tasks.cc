#include "storage/background_tasks.h"

#include "core/guard.h"

namespace imgflo::storage {

BackgroundTasks::BackgroundTasks(int threads, size_t limit) : limit_(limit) {
  threads_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

BackgroundTasks::~BackgroundTasks() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

bool BackgroundTasks::try_post(std::function<void()>& task) {
  {
    std::lock_guard lock(mu_);
    if (waiting_.size() >= limit_) return false;
    waiting_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void BackgroundTasks::drain() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return waiting_.empty() && running_ == 0; });
}

void BackgroundTasks::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) return;  // stopping, and everything posted has run
    std::function<void()> task = std::move(waiting_.front());
    waiting_.pop_front();
    ++running_;
    lock.unlock();
    (void)run_guarded("background storage task", task);
    lock.lock();
    --running_;
    if (waiting_.empty() && running_ == 0) idle_.notify_all();
  }
}

}  // namespace imgflo::storage
