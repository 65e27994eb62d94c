// In-flight markers in Redis, shared by every frontend using the same Redis.
//
// Keys (prefix "imgflo_cache/" by default):
//   <prefix>inflight/<key>       owner id, with PX ttl (the claim)
//   <prefix>inflight-done/<key>  release message, with PX done_ttl
// try_claim and release are small Lua scripts (EVAL), so each is
// atomic: a release deletes the marker only if the caller still owns it, and
// a claim never overwrites another owner's live marker. They are safe to run
// twice (RedisClient may re-send after a reconnect): claiming again as the
// owner succeeds, a repeated release records the same message.
//
// Watchers are answered by polling (one MGET for all watched keys per
// poll_interval, from one internal thread), not by pub/sub: nothing is lost
// across Redis restarts or when a release precedes the watch, at the cost of
// up to poll_interval of latency. While Redis is down, every call answers
// with kUnavailable promptly (see redis_client.h), watchers included.
#pragma once

#include "cache/inflight.h"
#include "cache/inflight_watch.h"
#include "cache/redis_client.h"
#include "cache/redis_config.h"

#include <chrono>
#include <memory>
#include <string>

namespace imgflo::cache {

class RedisInflight final : public InflightMarkers {
 public:
  struct Options {
    std::string prefix = kDefaultRedisPrefix;
    std::chrono::milliseconds poll_interval{100};
    std::chrono::milliseconds done_ttl{60000};  // how long watchers can still see a release
  };

  RedisInflight(std::shared_ptr<RedisClient> client, Options options);

  void try_claim(const std::string& key, const std::string& owner, std::chrono::milliseconds ttl,
                 ClaimCallback done) override;
  void release(const std::string& key, const std::string& owner, const std::string& message,
               BoolCallback done) override;
  uint64_t watch(const std::string& key, EndCallback done) override;
  void unwatch(uint64_t id) override;

  std::string marker_key(const std::string& key) const { return options_.prefix + "inflight/" + key; }
  std::string done_key(const std::string& key) const { return options_.prefix + "inflight-done/" + key; }

 private:
  Result<std::vector<std::optional<InflightEnd>>> probe(const std::vector<std::string>& keys);
  void eval_bool(const char* script, RedisCommand args, BoolCallback done);

  // Constant after construction.
  const std::shared_ptr<RedisClient> client_;
  const Options options_;
  InflightWatchList watchers_;  // last: its thread calls probe()
};

}  // namespace imgflo::cache
