// The watcher half of InflightMarkers, shared by the Redis and the in-memory
// implementations: one thread polls the state of every watched key through a
// probe function and calls each watcher back once its key's claim ended.
//
// The thread polls right after a watcher is added (so a release that came
// before watch() is seen at once) and then every `interval` while watchers
// remain; it sleeps when there are none. A failed probe (backing store
// unreachable) answers every polled watcher with that error. On destruction
// the remaining watchers are answered with kCancelled. Thread-safe.
#pragma once

#include "cache/inflight.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace imgflo::cache {

// For each key, in order: nullopt while still claimed, else how the claim ended.
using InflightProbe =
    std::function<Result<std::vector<std::optional<InflightEnd>>>(const std::vector<std::string>& keys)>;

class InflightWatchList {
 public:
  InflightWatchList(InflightProbe probe, std::chrono::milliseconds interval);
  ~InflightWatchList();
  InflightWatchList(const InflightWatchList&) = delete;
  InflightWatchList& operator=(const InflightWatchList&) = delete;

  uint64_t add(const std::string& key, EndCallback done);
  void remove(uint64_t id);
  size_t size() const;

 private:
  struct Watcher {
    std::string key;
    EndCallback done;
  };

  void run();
  void poll_once();

  // Constant after construction.
  const InflightProbe probe_;
  const std::chrono::milliseconds interval_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Watcher> watchers_;  // guarded by mu_
  uint64_t next_id_ = 1;                  // guarded by mu_
  bool poke_ = false;                     // guarded by mu_; a watcher was added
  bool stopping_ = false;                 // guarded by mu_
  std::thread thread_;                    // started last
};

}  // namespace imgflo::cache
