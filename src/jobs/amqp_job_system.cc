#include "jobs/amqp_job_system.h"

#include "core/guard.h"

#include <algorithm>

namespace imgflo::jobs {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds kNoDeadlineLifetime{3'600'000};  // a job without deadline is forgotten after an hour

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
  pong_cv_.notify_all();
  if (io_.joinable()) io_.join();
  std::vector<Completion> abandoned;
  {
    std::lock_guard lock(mu_);
    for (const auto& f : flights_.all()) {
      abandoned.push_back(finish(f, Error(ErrorKind::kCancelled, "the server is shutting down")));
    }
    outgoing_.clear();
  }
  for (const auto& c : abandoned) c.deliver();
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
    ++flights_.counters().rejected;
    return unavailable();
  }
  const bool urgent = job.urgency == Urgency::kUrgent;
  auto joined = flights_.join_or_create(job.key, [&] { return create_flight(job.key, urgent); });
  if (!joined.flight) {
    return Error(ErrorKind::kOverloaded, "too many unanswered jobs; retry later", {{"retry_after", 1}});
  }
  Flight& flight = amqp(joined.flight);
  // A new key is published; an urgent waiter joining background work publishes an
  // urgent copy, so it never waits behind a background flood.
  if (joined.created || (urgent && !flight.urgent)) enqueue(flight, std::move(job));
  const uint64_t ticket = flights_.attach(joined.flight, std::move(done));
  lock.unlock();
  wake_.notify();
  return ticket;
}

FlightTable::FlightPtr AmqpJobSystem::create_flight(const std::string& key, bool urgent) {
  size_t& count = urgent ? urgent_flights_ : background_flights_;
  if (count >= options_.queue_limit) return nullptr;
  ++count;
  auto flight = std::make_shared<Flight>(key);
  flight->counted_urgent = urgent;
  return flight;
}

void AmqpJobSystem::enqueue(Flight& f, Job job) {
  const auto lifetime = job.deadline_ms > 0 ? milliseconds(job.deadline_ms - now_epoch_ms()) : kNoDeadlineLifetime;
  f.expires_at = std::max(f.expires_at, now() + lifetime);
  f.ids.push_back(job.id);
  (job.urgency == Urgency::kUrgent ? f.urgent : f.background) = job;
  outgoing_.push_back(std::move(job));
}

void AmqpJobSystem::withdraw(uint64_t ticket) {
  std::lock_guard lock(mu_);
  if (auto abandoned = flights_.withdraw(ticket)) forget(abandoned);
}

void AmqpJobSystem::forget(const FlightTable::FlightPtr& flight) {
  --(amqp(flight).counted_urgent ? urgent_flights_ : background_flights_);
  flights_.erase(flight);
}

AmqpJobSystem::Completion AmqpJobSystem::finish(const FlightTable::FlightPtr& flight, Result<std::string> result) {
  Completion c = flights_.answer(*flight, std::move(result));
  forget(flight);
  return c;
}

std::optional<AmqpJobSystem::Completion> AmqpJobSystem::take(const std::string& key, Result<std::string> result) {
  auto flight = flights_.find(key);
  if (!flight) return std::nullopt;
  return finish(flight, std::move(result));
}

Status AmqpJobSystem::ping(milliseconds timeout) {
  if (stopping_) return Error(ErrorKind::kUnavailable, "the job queue is stopping");
  if (!connected_) return Error(ErrorKind::kUnavailable, "the message broker is not connected");
  const uint64_t asked = ++pings_asked_;
  wake_.notify();
  std::unique_lock lock(mu_);
  pong_cv_.wait_for(lock, timeout, [&] { return pings_answered_ >= asked || stopping_; });
  if (pings_answered_ >= asked) return last_pong_;
  return Error(ErrorKind::kTimeout, "the message broker did not answer a channel check within " +
                                        std::to_string(timeout.count()) + " ms");
}

JobStats AmqpJobSystem::stats() const {
  std::lock_guard lock(mu_);
  JobStats s = flights_.counters();
  s.queued = flights_.size();  // published, no result yet (how many run is the workers' business)
  return s;
}

}  // namespace imgflo::jobs
