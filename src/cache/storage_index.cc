#include "cache/storage_index.h"

#include "core/guard.h"

namespace imgflo::cache {

StorageIndex::StorageIndex(storage::Storage& storage, int threads, size_t queue_limit)
    : storage_(storage), queue_limit_(queue_limit) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { run_until_return("storage index lookup", [this] { run(); }); });
}

StorageIndex::~StorageIndex() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  for (auto& l : queue_) l.done(Error(ErrorKind::kUnavailable, "cache index stopped"));
}

void StorageIndex::get(const std::string& key, LookupCallback done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && queue_.size() < queue_limit_) {
      queue_.push_back({key, std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(Error(ErrorKind::kUnavailable, "result store lookups are backed up"));
}

void StorageIndex::run() {
  for (;;) {
    Lookup l;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      l = std::move(queue_.front());
      queue_.pop_front();
    }
    auto present = storage_.exists(l.key);
    if (!present.ok()) {
      l.done(present.take_error());
    } else if (*present) {
      l.done(std::optional<std::string>(storage_.location(l.key)));
    } else {
      l.done(std::optional<std::string>());
    }
  }
}

}  // namespace imgflo::cache
