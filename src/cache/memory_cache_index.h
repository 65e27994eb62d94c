// In-process cache index (the embedded default): a map guarded by a mutex.
// Unbounded in entries, but each entry is ~100 bytes and is created only by
// a successfully stored result, so it grows like the store itself.
#pragma once

#include "cache/cache_index.h"

#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace imgflo::cache {

class MemoryCacheIndex final : public CacheIndex {
 public:
  void get(const std::string& key, LookupCallback done) override;
  Status put(const std::string& key, const std::string& url) override;
  Status ping(std::chrono::milliseconds) override { return ok_status(); }  // nothing to reach
  size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::string> entries_;  // guarded by mu_
};

}  // namespace imgflo::cache
