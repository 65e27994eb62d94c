// Memory-aware admission: the jobs of one process run only while the sum of
// their peak-memory estimates (runtime/memory_estimate.h) stays within a limit
// (IMGFLO_MEMORY_LIMIT).
//
//   MemoryBudget budget(limit);
//   auto held = budget.acquire(estimate, stop);   // waits, bounded by `stop`
//   if (!held.ok()) return held.take_error();     // 422 too large, 504 deadline, cancelled
//   ... run the job ...                           // `*held` releases when destroyed
//
// Rules:
//   - an estimate over the limit can never run: kTooLarge (422) at once, with
//     a public message and the sizes in the details;
//   - otherwise the job runs as soon as it fits next to the running
//     reservations and every job that asked before it has started (first come,
//     first served: a big job is not starved by a stream of small ones);
//   - a wait ends with the Stop's error when its deadline passes (kTimeout, a
//     504 like any deadline) or its token is raised (kCancelled);
//   - a limit of 0 disables admission: every acquire() succeeds at once.
//
// Thread-safe. The budget must outlive its reservations.
#pragma once

#include "core/deadline.h"
#include "core/error.h"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::jobs {

struct MemoryBudgetStats {
  uint64_t limit = 0;        // bytes; 0 = no admission
  uint64_t in_use = 0;       // sum of the running reservations' estimates
  uint64_t running = 0;      // reservations held
  uint64_t waiting = 0;      // acquire() calls waiting right now
  uint64_t waits = 0;        // acquire() calls that had to wait (total)
  uint64_t refused = 0;      // acquire() calls refused as too large (total)
};

class MemoryBudget {
 public:
  // A held share of the budget; releases it when destroyed. Movable.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept;
    Reservation& operator=(Reservation&& other) noexcept;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation();
    uint64_t bytes() const { return bytes_; }

   private:
    friend class MemoryBudget;
    Reservation(MemoryBudget* budget, uint64_t bytes) : budget_(budget), bytes_(bytes) {}
    void release() noexcept;
    MemoryBudget* budget_ = nullptr;
    uint64_t bytes_ = 0;
  };

  explicit MemoryBudget(uint64_t limit_bytes) : limit_(limit_bytes) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Reserves `bytes` (see the rules above). Blocks the calling thread while
  // it waits; polls `stop` at least every 20 ms (its clock may be a test's).
  Result<Reservation> acquire(uint64_t bytes, const Stop& stop);

  uint64_t limit() const { return limit_; }
  MemoryBudgetStats stats() const;

 private:
  // REQUIRES: mu_ held. True when the waiter holding `ticket` may start now.
  bool may_start(uint64_t ticket, uint64_t bytes) const;
  void release(uint64_t bytes) noexcept;

  const uint64_t limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t in_use_ = 0;       // guarded by mu_
  uint64_t running_ = 0;      // guarded by mu_
  uint64_t next_ticket_ = 0;  // guarded by mu_: tickets handed to waiters, in order
  std::set<uint64_t> queue_;  // guarded by mu_: tickets of the waiters, oldest first
  uint64_t waits_ = 0;        // guarded by mu_
  uint64_t refused_ = 0;      // guarded by mu_
};

// The default limit: `fraction` of the memory this process may use — the
// smallest limit of its memory cgroup and that group's ancestors (v2
// memory.max, v1 memory.limit_in_bytes; the group named in /proc/self/cgroup,
// and the mount's root for a cgroup namespace) when one is set and smaller,
// else MemTotal of /proc/meminfo. 0 when neither can be read.
uint64_t default_memory_limit(double fraction);

// The limit files default_memory_limit() reads for the groups listed in
// `proc_self_cgroup` (the text of /proc/self/cgroup): for the v1 memory
// controller's group and the v2 group, the group's file, then its parent's,
// up to the root. Lines that name neither, and paths that are not absolute
// or contain "..", give none.
std::vector<std::string> memory_limit_files(std::string_view proc_self_cgroup);

}  // namespace imgflo::jobs
