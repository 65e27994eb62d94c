#include "cache/layered_index.h"

#include <spdlog/spdlog.h>

namespace imgflo::cache {

LayeredIndex::LayeredIndex(std::shared_ptr<CacheIndex> primary, std::shared_ptr<CacheIndex> fallback)
    : primary_(std::move(primary)), fallback_(std::move(fallback)) {}

void LayeredIndex::get(const std::string& key, LookupCallback done) {
  primary_->get(key, [this, key, done = std::move(done)](Result<std::optional<std::string>> first) mutable {
    if (first.ok() && first->has_value()) return done(std::move(first));
    const bool primary_up = first.ok();
    fallback_->get(key, [this, key, primary_up, done = std::move(done)](Result<std::optional<std::string>> second) {
      if (second.ok() && second->has_value() && primary_up) {
        // Runs on the fallback's thread (never the event loop), so a blocking put is fine.
        if (Status st = primary_->put(key, **second); !st.ok()) {
          spdlog::debug("cache index: cannot copy {} into the primary: {}", key, st.error().message());
        }
      }
      done(std::move(second));
    });
  });
}

Status LayeredIndex::put(const std::string& key, const std::string& url) { return primary_->put(key, url); }

Status LayeredIndex::ping(std::chrono::milliseconds timeout) {
  if (Status st = primary_->ping(timeout); !st.ok()) return st;
  return fallback_->ping(timeout);
}

}  // namespace imgflo::cache
