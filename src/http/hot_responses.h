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
// never remembered. An entry also carries what its answer was authorized
// under (HotResponses::Validity): the apps generation (request/auth.h) — a
// lookup with another generation drops the whole table, so a disabled app or
// a rotated secret is seen at the next request — and the last moment it may
// be served (the URL's _expires, the end of a previous secret's grace), which
// caps its ttl. Time is read through `clock` (core/clock.h; one virtual
// call per lookup), which must outlive the table. Thread-safe (sharded mutexes).
//
// Negotiated answers (request/negotiate.h): for a target whose answer depends
// on the Accept header, the entry holds the graph's Negotiation and one answer
// per output type; a lookup negotiates the client's Accept (the same pure
// function the full path uses) and serves only the answer for that type, so
// one client's WebP redirect never reaches a client that gets JPEG. Plain
// targets pay nothing for this (the Accept header is not read).
#pragma once

#include "core/deadline.h"
#include "http/message.h"
#include "request/negotiate.h"

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace imgflo::http {

// What a remembered answer holds under, besides its ttl.
struct HotValidity {
  uint64_t generation = 0;                             // the apps generation that authorized it
  Clock::time_point until = Clock::time_point::max();  // served only before this
};

class HotResponses {
 public:
  static constexpr size_t kDefaultCapacity = 16384;  // entries, over all shards
  explicit HotResponses(std::chrono::milliseconds ttl = std::chrono::seconds(60), size_t capacity = kDefaultCapacity,
                        const ClockSource& clock = system_clock());

  using Validity = HotValidity;

  // The full HTTP/1.1 response bytes for GET `target` from a client sending
  // `accept` (read only for negotiated targets), or null. `generation` is the
  // current apps generation: when it differs from the table's, every entry is
  // dropped first (the check is one relaxed atomic load).
  std::shared_ptr<const std::string> find(std::string_view target, std::string_view accept = {},
                                          uint64_t generation = 0) const;
  // Remembers `redirect` (a 301, http/redirect.h) for GET `target`, whose
  // answer does not depend on the Accept header. Ignored when `validity`'s
  // generation is older than one seen already.
  void remember(std::string_view target, const HttpResponse& redirect, Validity validity = {});
  // Remembers `redirect` for GET `target` from clients whose Accept
  // negotiates to `type` under `policy` (the target's graph's; the same for
  // every call with this target).
  void remember(std::string_view target, std::shared_ptr<const request::Negotiation> policy, std::string_view type,
                const HttpResponse& redirect, Validity validity = {});
  // Drops every entry.
  void clear() const;

 private:
  struct Variant {
    std::string type;
    std::shared_ptr<const std::string> bytes;
  };
  struct Entry {
    std::shared_ptr<const std::string> bytes;            // the answer (plain targets)
    std::shared_ptr<const request::Negotiation> policy;  // negotiated targets: the answer per type
    std::vector<Variant> variants;
    Clock::time_point expires;
    uint64_t generation = 0;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Entry> entries;  // guarded by mu
  };
  static constexpr size_t kShards = 16;
  Shard& shard_for(const std::string& key) const;
  // The live entry for `key` in `shard` (mu held), or a fresh empty one, valid under `validity`.
  Entry& live_entry(Shard& shard, const std::string& key, const Validity& validity);
  // False when `generation` is older than the table's; a newer one clears the table and becomes its.
  bool observe(uint64_t generation) const;

  const std::chrono::milliseconds ttl_;
  const size_t shard_capacity_;
  const ClockSource& clock_;
  mutable std::array<Shard, kShards> shards_;
  mutable std::atomic<uint64_t> generation_{0};  // the newest apps generation seen
};

}  // namespace imgflo::http
