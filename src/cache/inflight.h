// In-flight markers: which cache keys some frontend is producing right now,
// so identical requests arriving at different frontends run one job.
//
// Protocol (for the distributed job system):
//   1. On a cache miss, try_claim(key, my_owner_id, ttl).
//   2. Claimed: run the job, with a ttl that covers its whole deadline (a
//      claim is not extended). When the result is stored (cache index
//      filled) or the job failed, release(key, my_owner_id, message);
//      `message` is opaque to this module (e.g. JSON with the URL or the error) and is handed to
//      every watcher.
//   3. Not claimed (another owner holds it): watch(key). The callback comes
//      exactly once: kReleased with the owner's message once it released,
//      or kAbandoned when the marker vanished without a release (the owner
//      died and the claim's ttl ran out, or the key was not in flight at
//      all). On kAbandoned look up the cache index again and, on a miss,
//      go back to 1. The watcher polls (see the implementation's interval),
//      so it also learns of releases that happened before watch() was
//      called. Results that also arrive by other means (the RabbitMQ result
//      fan-out) may simply unwatch().
// A claim expires by itself after its ttl, so a crashed owner blocks others
// for at most ttl. Release messages are kept for a while after release (the
// implementation's "done ttl"); a new claim of the key clears them.
//
// Errors: kUnavailable when the backing store is unreachable; callers then
// run the job themselves (duplicate work, never a lost request).
//
// Threads: all methods may be called from any thread and never block, except
// the *_wait helpers (worker threads only). Callbacks run on an internal
// thread (or inline) and must be quick and must not throw.
#pragma once

#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <string>

namespace imgflo::cache {

struct Claim {
  bool claimed = false;  // true: the caller owns the key now (or already did)
  std::string owner;     // the current owner (the caller's id when claimed)
};

struct InflightEnd {
  enum class How { kReleased, kAbandoned };
  How how = How::kAbandoned;
  std::string message;  // release()'s message (kReleased only)
};

using ClaimCallback = std::function<void(Result<Claim>)>;
using BoolCallback = std::function<void(Result<bool>)>;
using EndCallback = std::function<void(Result<InflightEnd>)>;

class InflightMarkers {
 public:
  virtual ~InflightMarkers() = default;

  // Claims `key` for `owner` for `ttl` unless someone else holds it. Claiming
  // a key one already holds succeeds and restarts its ttl. A successful claim
  // clears the key's previous release message.
  virtual void try_claim(const std::string& key, const std::string& owner, std::chrono::milliseconds ttl,
                         ClaimCallback done) = 0;
  // Ends `owner`'s claim and records `message` for watchers: true if it held
  // the claim. If the claim had already expired and nobody re-claimed the key,
  // the message is still recorded (false). If another owner holds the key now,
  // nothing changes (false).
  virtual void release(const std::string& key, const std::string& owner, const std::string& message,
                       BoolCallback done) = 0;
  // Calls `done` once when `key`'s claim ends (see above). Returns an id for unwatch().
  virtual uint64_t watch(const std::string& key, EndCallback done) = 0;
  // The callback of `id` will not be called after this returns (unless it is running now).
  virtual void unwatch(uint64_t id) = 0;

  // Blocking forms, for worker threads (never from an event loop or a callback).
  Result<Claim> try_claim_wait(const std::string& key, const std::string& owner, std::chrono::milliseconds ttl) {
    return wait<Claim>([&](auto cb) { try_claim(key, owner, ttl, std::move(cb)); });
  }
  Result<bool> release_wait(const std::string& key, const std::string& owner, const std::string& message) {
    return wait<bool>([&](auto cb) { release(key, owner, message, std::move(cb)); });
  }

 private:
  template <typename T, typename Start>
  static Result<T> wait(Start start) {
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    start([promise](Result<T> r) { promise->set_value(std::move(r)); });
    return future.get();
  }
};

}  // namespace imgflo::cache
