// The cache index in Redis (distributed mode; the original's "Redis front").
//
// Entries are plain strings: "<prefix>url/<key>" -> URL, written with
// SET ... EX ttl (IMGFLO_REDIS_TTL, default 86400 s), so an entry outlives
// nothing it points at for longer than a day by default. A missing entry is
// a miss (nullopt); the caller may then look in the storage itself (the
// original filled Redis from S3 on such a hit; that layering belongs to the
// caller, which owns the storage).
//
// get() never blocks: it queues a GET on the shared RedisClient and returns;
// the callback runs on a Redis I/O thread, or at once with kUnavailable when
// Redis is down or the queue is full (see redis_client.h for the timing
// guarantees). put() blocks the calling worker thread until Redis answered
// (bounded by the client's timeouts). Thread-safe.
#pragma once

#include "cache/cache_index.h"
#include "cache/redis_client.h"
#include "cache/redis_config.h"

#include <chrono>
#include <memory>
#include <string>

namespace imgflo::cache {

class RedisCacheIndex final : public CacheIndex {
 public:
  struct Options {
    std::chrono::seconds ttl{86400};
    std::string prefix = kDefaultRedisPrefix;  // tests use their own, to stay apart
  };

  RedisCacheIndex(std::shared_ptr<RedisClient> client, Options options);

  void get(const std::string& key, LookupCallback done) override;
  Status put(const std::string& key, const std::string& url) override;
  // PING through the shared client (RedisClient::ping).
  Status ping(std::chrono::milliseconds timeout) override { return client_->ping(timeout); }

  // The Redis key holding `key`'s URL ("imgflo_cache/url/<key>").
  std::string redis_key(const std::string& key) const { return options_.prefix + "url/" + key; }

 private:
  // Constant after construction.
  const std::shared_ptr<RedisClient> client_;
  const Options options_;
};

}  // namespace imgflo::cache
