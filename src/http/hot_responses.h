// A small in-memory cache of complete "301 Moved Permanently" answers to
// cached-result GETs, keyed by the request target, so the hot path
// (the same URL asked again and again) is one hash lookup and one write: no
// URL parsing, hashing, catalogue or index lookup, no allocation.
//
// What makes this safe: everything the full path decides for a GET is a pure
// function of the target (auth with static keys, the 422 rule, graph and
// parameter checks, the cache key) except the index lookup — the Location
// never depends on the request's Host header (no cache poisoning) — and stored
// results are immutable. Entries expire after `ttl` (so an index entry that
// goes away — Redis TTL, a removed object — is seen again within that time)
// and the table is bounded (a full shard is cleared). _nocache requests are
// never remembered. Time is read through `clock` (core/clock.h; one virtual
// call per lookup), which must outlive the table. Thread-safe (sharded mutexes).
#pragma once

#include "core/deadline.h"

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace imgflo::http {

class HotResponses {
 public:
  static constexpr size_t kDefaultCapacity = 16384;  // entries, over all shards
  explicit HotResponses(std::chrono::milliseconds ttl = std::chrono::seconds(60), size_t capacity = kDefaultCapacity,
                        const ClockSource& clock = system_clock());

  // The full HTTP/1.1 response bytes for GET `target`, or null.
  std::shared_ptr<const std::string> find(std::string_view target) const;
  // Remembers the 301 to `location` for GET `target`.
  void remember(std::string_view target, const std::string& location);

 private:
  struct Entry {
    std::shared_ptr<const std::string> bytes;
    Clock::time_point expires;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Entry> entries;  // guarded by mu
  };
  static constexpr size_t kShards = 16;
  Shard& shard_for(const std::string& key) const;

  const std::chrono::milliseconds ttl_;
  const size_t shard_capacity_;
  const ClockSource& clock_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace imgflo::http
