// The coalescing bookkeeping shared by the job systems: one flight per key
// (the job that runs, or was published, for it), the waiters on each flight
// and their withdraw() tickets, the background interest a POST leaves, and
// the JobSystem counters that follow from them.
//
// A job system derives its own flight type from FlightTable::Flight (its
// queue state, its published jobs) and keeps what the table does not know:
// queues, limits, running jobs. The table never calls a callback: it hands
// waiters back in a Completion, which the owner delivers after unlocking.
//
// Threads: not thread-safe. The owner calls every method under its own mutex
// (LocalJobSystem::mu_, AmqpJobSystem::mu_); Completion::deliver() is the
// only call meant to run outside it. Ownership: flights are shared_ptrs, so
// an owner may keep a flight (in a queue, on a worker thread) after the table
// dropped it.
#pragma once

#include "jobs/job_system.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace imgflo::jobs {

class FlightTable {
 public:
  struct Waiter {
    uint64_t ticket;
    JobCallback done;
  };

  // The state of one key; job systems extend it.
  struct Flight {
    explicit Flight(std::string k) : key(std::move(k)) {}
    virtual ~Flight() = default;
    const std::string key;
    std::vector<Waiter> waiters;       // urgent submitters, in submission order
    bool background_interest = false;  // a background submission (no callback) wants the result
    Lane lane = Lane::kImage;          // kVideo once routed or moved there
  };
  using FlightPtr = std::shared_ptr<Flight>;

  // Waiters taken from a flight with the result they are owed.
  struct Completion {
    std::vector<Waiter> waiters;
    Result<std::string> result;
    // Calls every waiter's callback (behind deliver()'s barrier). Call without the owner's lock.
    void deliver() const;
  };

  struct Joined {
    FlightPtr flight;  // nullptr: creation refused (`create` returned nullptr), nothing recorded
    bool created = false;
  };

  // The flight for `key`: the existing one (counted as coalesced) or, when
  // there is none, the one `create()` makes (its key must be `key`), which
  // is recorded. `create` returning nullptr refuses the submission (over a
  // limit): counted as rejected, nothing else changes.
  Joined join_or_create(const std::string& key, const std::function<FlightPtr()>& create);

  // Records one accepted submission on `flight` and returns its ticket: a
  // waiter when `done` is set, background interest otherwise.
  uint64_t attach(const FlightPtr& flight, JobCallback done);

  // Forgets the waiter behind `ticket` (its callback will never be called by
  // this table's completions). Returns the flight when that left it with no
  // waiter and no background interest (counted as cancelled): the owner
  // cancels the work and erase()s the flight when appropriate. nullptr for
  // unknown tickets (already answered or withdrawn) and flights still wanted.
  FlightPtr withdraw(uint64_t ticket);

  // Takes every waiter of `flight` (their tickets become unknown) with
  // `result`, counting the outcome as succeeded or failed. The flight stays
  // (background interest, a result still to come).
  Completion answer(Flight& flight, Result<std::string> result);
  // answer() and erase(): the flight is finished.
  Completion complete(const FlightPtr& flight, Result<std::string> result);
  // Drops `flight` (when it is still the one recorded for its key) and the
  // tickets of any waiters left on it.
  void erase(const FlightPtr& flight);

  FlightPtr find(const std::string& key) const;
  // The lane of the flight the waiter behind `ticket` waits for; kImage for unknown tickets.
  Lane lane_of(uint64_t ticket) const;
  bool contains(const std::string& key) const { return flights_.contains(key); }
  // Every recorded flight (a snapshot: the owner may erase while iterating it).
  std::vector<FlightPtr> all() const;
  size_t size() const { return flights_.size(); }

  // submitted, coalesced, succeeded, failed, cancelled and rejected as
  // counted here; the owner adds its own (started, running, queued, other
  // refusals) through counters().
  JobStats& counters() { return stats_; }
  const JobStats& counters() const { return stats_; }

 private:
  uint64_t next_ticket_ = 1;
  std::unordered_map<std::string, FlightPtr> flights_;  // by key
  std::unordered_map<uint64_t, FlightPtr> tickets_;     // waiters' tickets
  JobStats stats_;
};

}  // namespace imgflo::jobs
