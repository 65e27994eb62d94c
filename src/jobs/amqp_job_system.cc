#include "jobs/amqp_job_system.h"

#include "core/guard.h"

#include <algorithm>

namespace imgflo::jobs {

namespace {

using std::chrono::milliseconds;

constexpr int64_t kNoDeadlineLifetimeMs = 3'600'000;  // a job without deadline is forgotten after an hour

}  // namespace

AmqpJobSystem::AmqpJobSystem(AmqpJobOptions options)
    : options_(std::move(options)),
      participant_id_(options_.participant_id.empty() ? new_participant_id(options_.topology.api_role())
                                                      : options_.participant_id) {}

AmqpJobSystem::~AmqpJobSystem() { stop(); }

void AmqpJobSystem::start() {
  if (io_.joinable()) return;
  io_ = std::thread([this] { run_until_return("job queue broker I/O", [this] { io_loop(); }); });
}

void AmqpJobSystem::stop() {
  stopping_ = true;
  wake_.notify();
  if (io_.joinable()) io_.join();
  std::vector<Completion> abandoned;
  {
    std::lock_guard lock(mu_);
    std::vector<std::string> keys;
    for (const auto& [key, f] : flights_) keys.push_back(key);
    for (const auto& key : keys) {
      if (auto c = take(key, Error(ErrorKind::kCancelled, "the server is shutting down"))) {
        abandoned.push_back(std::move(*c));
      }
    }
    outgoing_.clear();
  }
  for (auto& [waiters, result] : abandoned) {
    for (auto& w : waiters) deliver(w.done, result);
  }
}

bool AmqpJobSystem::wait_connected(milliseconds timeout) {
  std::unique_lock lock(mu_);
  return connected_cv_.wait_for(lock, timeout, [&] { return connected_.load(); });
}

Error AmqpJobSystem::unavailable() const {
  return Error(ErrorKind::kUnavailable, "the job queue is unavailable (message broker unreachable); retry later",
               {{"retry_after", 1}});
}

Result<uint64_t> AmqpJobSystem::submit(Job job, JobCallback done) {
  std::unique_lock lock(mu_);
  if (stopping_) return Error(ErrorKind::kUnavailable, "the server is shutting down");
  if (!connected_) {
    ++stats_.rejected;
    return unavailable();
  }
  const bool urgent = job.urgency == Urgency::kUrgent;
  const std::string key = job.key;
  FlightPtr& flight = flights_[key];
  if (flight) {
    ++stats_.coalesced;
    if (urgent && !flight->urgent) enqueue(*flight, std::move(job));  // never wait behind background work
  } else {
    size_t& count = urgent ? urgent_flights_ : background_flights_;
    if (count >= options_.queue_limit) {
      flights_.erase(key);
      ++stats_.rejected;
      return Error(ErrorKind::kOverloaded, "too many unanswered jobs; retry later", {{"retry_after", 1}});
    }
    ++count;
    flight = std::make_shared<Flight>();
    flight->counted_urgent = urgent;
    enqueue(*flight, std::move(job));
  }
  ++stats_.submitted;
  const uint64_t ticket = next_ticket_++;
  if (done) {
    flight->waiters.push_back({ticket, std::move(done)});
    tickets_[ticket] = key;
  } else {
    flight->background_interest = true;
  }
  lock.unlock();
  wake_.notify();
  return ticket;
}

void AmqpJobSystem::enqueue(Flight& f, Job job) {
  const int64_t deadline = job.deadline_ms > 0 ? job.deadline_ms : now_epoch_ms() + kNoDeadlineLifetimeMs;
  f.expires_ms = std::max(f.expires_ms, deadline);
  f.ids.push_back(job.id);
  (job.urgency == Urgency::kUrgent ? f.urgent : f.background) = job;
  outgoing_.push_back(std::move(job));
}

void AmqpJobSystem::withdraw(uint64_t ticket) {
  std::lock_guard lock(mu_);
  auto t = tickets_.find(ticket);
  if (t == tickets_.end()) return;
  const std::string key = t->second;
  tickets_.erase(t);
  auto it = flights_.find(key);
  if (it == flights_.end()) return;
  Flight& f = *it->second;
  std::erase_if(f.waiters, [&](const Waiter& w) { return w.ticket == ticket; });
  if (f.waiters.empty() && !f.background_interest) {
    ++stats_.cancelled;
    forget(key);
  }
}

void AmqpJobSystem::forget(const std::string& key) {
  auto it = flights_.find(key);
  if (it == flights_.end()) return;
  --(it->second->counted_urgent ? urgent_flights_ : background_flights_);
  for (const auto& w : it->second->waiters) tickets_.erase(w.ticket);
  flights_.erase(it);
}

std::optional<AmqpJobSystem::Completion> AmqpJobSystem::take(const std::string& key, Result<std::string> result) {
  auto it = flights_.find(key);
  if (it == flights_.end()) return std::nullopt;
  Completion c{std::move(it->second->waiters), std::move(result)};
  it->second->waiters.clear();
  for (const auto& w : c.first) tickets_.erase(w.ticket);
  ++(c.second.ok() ? stats_.succeeded : stats_.failed);
  forget(key);
  return c;
}

JobStats AmqpJobSystem::stats() const {
  std::lock_guard lock(mu_);
  JobStats s = stats_;
  s.queued = flights_.size();  // published, no result yet (how many run is the workers' business)
  return s;
}

}  // namespace imgflo::jobs
