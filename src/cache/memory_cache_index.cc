#include "cache/memory_cache_index.h"

namespace imgflo::cache {

void MemoryCacheIndex::get(const std::string& key, LookupCallback done) {
  std::optional<std::string> url;
  {
    std::shared_lock lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) url = it->second;
  }
  done(std::move(url));
}

Status MemoryCacheIndex::put(const std::string& key, const std::string& url) {
  std::unique_lock lock(mu_);
  entries_[key] = url;
  return ok_status();
}

size_t MemoryCacheIndex::size() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

}  // namespace imgflo::cache
