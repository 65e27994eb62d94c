// A cache index answered by the result store itself ("is the object there?",
// e.g. an S3 HEAD), on its own small thread pool so callers never block.
// put() does nothing: the store already holds what was stored. Lookups beyond
// `queue_limit` waiting are answered kUnavailable at once.
#pragma once

#include "cache/cache_index.h"
#include "storage/storage.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace imgflo::cache {

class StorageIndex final : public CacheIndex {
 public:
  StorageIndex(storage::Storage& storage, int threads = 2, size_t queue_limit = 1024);
  ~StorageIndex() override;
  StorageIndex(const StorageIndex&) = delete;
  StorageIndex& operator=(const StorageIndex&) = delete;

  void get(const std::string& key, LookupCallback done) override;
  Status put(const std::string&, const std::string&) override { return ok_status(); }
  // The store's own ping (lookups are questions to the store).
  Status ping(std::chrono::milliseconds timeout) override { return storage_.ping(timeout); }

 private:
  struct Lookup {
    std::string key;
    LookupCallback done;
  };
  void run();

  storage::Storage& storage_;
  const size_t queue_limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Lookup> queue_;  // guarded by mu_
  bool stopping_ = false;     // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace imgflo::cache
