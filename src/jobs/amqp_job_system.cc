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
  auto joined = flights_.join_or_create(job.key, [&] { return create_flight(job.key, queue_for(job)); });
  if (!joined.flight) {
    return Error(ErrorKind::kOverloaded, "too many unanswered jobs; retry later", {{"retry_after", 1}});
  }
  Flight& flight = amqp(joined.flight);
  // A new key is published; an urgent waiter joining background image work publishes an
  // urgent copy, so it never waits behind a background flood.
  if (joined.created) flight.lane = job.lane;
  if (joined.created || (urgent && !flight.urgent && flight.lane == Lane::kImage)) enqueue(flight, std::move(job));
  const uint64_t ticket = flights_.attach(joined.flight, std::move(done));
  lock.unlock();
  wake_.notify();
  return ticket;
}

FlightTable::FlightPtr AmqpJobSystem::create_flight(const std::string& key, WorkerQueue queue) {
  size_t& count = counted_[static_cast<size_t>(queue)];
  if (count >= (queue == WorkerQueue::kVideo ? options_.video_queue_limit : options_.queue_limit)) return nullptr;
  ++count;
  auto flight = std::make_shared<Flight>(key);
  flight->counted = queue;
  return flight;
}

std::optional<Job>& AmqpJobSystem::Flight::published(WorkerQueue queue) {
  switch (queue) {
    case WorkerQueue::kUrgent: return urgent;
    case WorkerQueue::kBackground: return background;
    case WorkerQueue::kVideo: return video;
  }
  return urgent;
}

void AmqpJobSystem::enqueue(Flight& f, Job job) {
  f.expires_at = std::max(f.expires_at, expiry(job.deadline_ms));
  f.ids.push_back(job.id);
  f.published(queue_for(job)) = job;
  outgoing_.push_back(std::move(job));
}

Clock::time_point AmqpJobSystem::expiry(int64_t deadline_ms) const {
  return now() + (deadline_ms > 0 ? milliseconds(deadline_ms - now_epoch_ms()) : kNoDeadlineLifetime);
}

void AmqpJobSystem::move_to_video(Flight& f, const std::string& id) {
  if (f.lane == Lane::kVideo) return;
  std::optional<Job> moved;
  for (auto* copy : {&f.urgent, &f.background}) {
    if (*copy && (!moved || (*copy)->id == id)) moved = std::move(**copy);
    copy->reset();  // a reconnect re-publishes the video copy only
  }
  f.lane = Lane::kVideo;
  ++flights_.counters().rerouted;
  if (!moved) return;
  f.video = to_video_lane(std::move(*moved));
  f.expires_at = std::max(f.expires_at, expiry(f.video->deadline_ms));
}

void AmqpJobSystem::withdraw(uint64_t ticket) {
  std::lock_guard lock(mu_);
  if (auto abandoned = flights_.withdraw(ticket)) forget(abandoned);
}

void AmqpJobSystem::forget(const FlightTable::FlightPtr& flight) {
  --counted_[static_cast<size_t>(amqp(flight).counted)];
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
  for (const auto& f : flights_.all()) s.video_queued += f->lane == Lane::kVideo ? 1 : 0;
  return s;
}

Lane AmqpJobSystem::lane(uint64_t ticket) const {
  std::lock_guard lock(mu_);
  return flights_.lane_of(ticket);
}

}  // namespace imgflo::jobs
