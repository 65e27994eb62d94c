// In-process in-flight markers with the same semantics as RedisInflight:
// for a single frontend, and as a test fake for the distributed job system.
// Claims and release messages expire by `clock` (core/clock.h; checked on
// access and by the watchers' polls, which run on real time every
// poll_interval); the clock must outlive this object;
// try_claim/release call back before returning; watchers are
// answered from the shared polling thread (inflight_watch.h). Thread-safe.
#pragma once

#include "cache/inflight.h"
#include "cache/inflight_watch.h"
#include "core/clock.h"

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace imgflo::cache {

class MemoryInflight final : public InflightMarkers {
 public:
  struct Options {
    std::chrono::milliseconds poll_interval{20};
    std::chrono::milliseconds done_ttl{60000};
  };

  MemoryInflight() : MemoryInflight(Options{}) {}
  explicit MemoryInflight(Options options, const ClockSource& clock = system_clock());

  void try_claim(const std::string& key, const std::string& owner, std::chrono::milliseconds ttl,
                 ClaimCallback done) override;
  void release(const std::string& key, const std::string& owner, const std::string& message,
               BoolCallback done) override;
  uint64_t watch(const std::string& key, EndCallback done) override;
  void unwatch(uint64_t id) override;

 private:
  struct Entry {
    std::string value;  // owner (markers) or message (done records)
    Clock::time_point expires;
  };
  using Table = std::unordered_map<std::string, Entry>;

  // The live entry for key, or nullptr (an expired one is erased). REQUIRES: mu_ held.
  static Entry* live(Table& table, const std::string& key, Clock::time_point now);
  // Every kPruneEvery writes, drops expired entries nobody asked about. REQUIRES: mu_ held.
  void maybe_prune(Clock::time_point now);
  Result<std::vector<std::optional<InflightEnd>>> probe(const std::vector<std::string>& keys);

  const Options options_;
  const ClockSource& clock_;
  std::mutex mu_;
  Table markers_;  // guarded by mu_
  Table done_;     // guarded by mu_
  uint64_t writes_ = 0;  // guarded by mu_
  InflightWatchList watchers_;  // last: its thread calls probe()
};

}  // namespace imgflo::cache
