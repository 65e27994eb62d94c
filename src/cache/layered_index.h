// A cache index in front of another: lookups try `primary` first and, on a
// miss (or when it is unreachable), `fallback`; a fallback hit is copied into
// the primary so the next lookup is fast. put() records in the primary.
// This is the original's "redis-s3" shape: Redis in front of the store.
// Thread-safe when both parts are.
#pragma once

#include "cache/cache_index.h"

#include <memory>

namespace imgflo::cache {

class LayeredIndex final : public CacheIndex {
 public:
  LayeredIndex(std::shared_ptr<CacheIndex> primary, std::shared_ptr<CacheIndex> fallback);
  void get(const std::string& key, LookupCallback done) override;
  Status put(const std::string& key, const std::string& url) override;
  // The primary's, then the fallback's (both serve lookups).
  Status ping(std::chrono::milliseconds timeout) override;

 private:
  std::shared_ptr<CacheIndex> primary_;
  std::shared_ptr<CacheIndex> fallback_;
};

}  // namespace imgflo::cache
