#include "jobs/local_job_system.h"

#include "core/guard.h"

#include <algorithm>

namespace imgflo::jobs {

LocalJobSystem::LocalJobSystem(WorkFunction work, LocalJobOptions options)
    : work_(std::move(work)), options_(std::move(options)) {}

LocalJobSystem::~LocalJobSystem() { stop(); }

void LocalJobSystem::start() {
  {
    std::lock_guard lock(mu_);
    started_ = true;
  }
  for (int i = 0; i < std::max(1, options_.workers); ++i) threads_.emplace_back([this] { worker_loop(Lane::kImage); });
  for (int i = 0; i < options_.video_workers; ++i) threads_.emplace_back([this] { worker_loop(Lane::kVideo); });
}

void LocalJobSystem::stop() {
  std::vector<FlightPtr> abandoned;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    for (const auto& f : flights_.all()) {
      auto flight = local(f);
      flight->stop.token.cancel();
      if (!flight->started) abandoned.push_back(flight);
    }
    urgent_.clear();
    background_.clear();
    video_.clear();
  }
  notify_all_lanes();
  for (auto& f : abandoned) finish(f, Error(ErrorKind::kCancelled, "the server is shutting down"));
  for (auto& t : threads_) t.join();
  threads_.clear();
}

bool LocalJobSystem::wait_idle(Clock::time_point until) {
  std::unique_lock lock(mu_);
  // Workers notify idle_cv_ after every job; the last one leaves the queues empty and nothing running.
  return idle_cv_.wait_until(lock, until, [this] { return idle(); });
}

std::condition_variable& LocalJobSystem::lane_cv(Lane lane) {
  return lane == Lane::kVideo ? video_cv_ : image_cv_;
}

void LocalJobSystem::notify_all_lanes() {
  image_cv_.notify_all();
  video_cv_.notify_all();
  idle_cv_.notify_all();
}

bool LocalJobSystem::idle() const {
  return urgent_.empty() && background_.empty() && video_.empty() && flights_.counters().running == 0;
}

Status LocalJobSystem::ping(std::chrono::milliseconds) {
  std::lock_guard lock(mu_);
  if (stopping_) return Error(ErrorKind::kUnavailable, "the in-process job system is stopping");
  if (!started_) return Error(ErrorKind::kUnavailable, "the in-process job system has not started");
  return ok_status();
}

Result<uint64_t> LocalJobSystem::submit(Job job, JobCallback done) {
  std::lock_guard lock(mu_);
  if (stopping_) return Error(ErrorKind::kUnavailable, "the server is shutting down");
  const bool urgent = job.urgency == Urgency::kUrgent;
  if (job.lane == Lane::kVideo && options_.video_workers <= 0) {
    return Error(ErrorKind::kUnavailable, "this process runs no video jobs");
  }
  auto joined = flights_.join_or_create(job.key, [&] { return create_flight(job); });
  if (!joined.flight) {
    return Error(ErrorKind::kOverloaded, "too many queued jobs; retry later", {{"retry_after", 1}});
  }
  auto flight = local(joined.flight);
  if (!joined.created && urgent) promote(flight);
  const uint64_t ticket = flights_.attach(flight, std::move(done));
  lane_cv(flight->lane).notify_one();
  return ticket;
}

LocalJobSystem::FlightPtr LocalJobSystem::create_flight(Job& job) {
  const bool video = job.lane == Lane::kVideo;
  if (video ? video_.size() >= options_.video_queue_limit
            : urgent_.size() + background_.size() >= options_.queue_limit) {
    return nullptr;
  }
  auto flight = std::make_shared<Flight>(std::move(job));
  flight->urgent = flight->job.urgency == Urgency::kUrgent;
  flight->lane = flight->job.lane;
  flight->stop.deadline = deadline_from_epoch_ms(flight->job.deadline_ms);
  queue_of(*flight).push_back(flight);
  return flight;
}

std::deque<LocalJobSystem::FlightPtr>& LocalJobSystem::queue_of(const Flight& flight) {
  if (flight.video()) return video_;
  return flight.urgent ? urgent_ : background_;
}

void LocalJobSystem::promote(const FlightPtr& flight) {
  if (flight->urgent || flight->started || flight->video()) return;  // only a queued background image job moves
  background_.erase(std::find(background_.begin(), background_.end(), flight));
  urgent_.push_back(flight);
  flight->urgent = true;
}

void LocalJobSystem::withdraw(uint64_t ticket) {
  std::lock_guard lock(mu_);
  if (auto abandoned = flights_.withdraw(ticket)) drop(local(abandoned));
}

void LocalJobSystem::drop(const FlightPtr& flight) {
  flight->stop.token.cancel();
  if (flight->started) return;  // the worker notices the token and finishes it
  auto& queue = queue_of(*flight);
  queue.erase(std::remove(queue.begin(), queue.end(), flight), queue.end());
  flights_.erase(flight);
}

JobStats LocalJobSystem::stats() const {
  std::lock_guard lock(mu_);
  JobStats s = flights_.counters();
  s.queued = urgent_.size() + background_.size() + video_.size();
  s.video_queued = video_.size();
  s.video_running = static_cast<uint64_t>(running_video_);
  return s;
}

Lane LocalJobSystem::lane(uint64_t ticket) const {
  std::lock_guard lock(mu_);
  return flights_.lane_of(ticket);
}

LocalJobSystem::FlightPtr LocalJobSystem::next_flight(Lane lane) {
  if (lane == Lane::kVideo) {
    if (video_.empty()) return nullptr;
    FlightPtr f = video_.front();
    video_.pop_front();
    ++running_video_;
    return f;
  }
  if (!urgent_.empty()) {
    FlightPtr f = urgent_.front();
    urgent_.pop_front();
    return f;
  }
  const int background_slots = options_.workers >= 2 ? options_.workers - 1 : 1;
  if (!background_.empty() && running_background_ < background_slots) {
    FlightPtr f = background_.front();
    background_.pop_front();
    ++running_background_;
    return f;
  }
  return nullptr;
}

void LocalJobSystem::worker_loop(Lane lane) {
  for (;;) {
    FlightPtr flight;
    {
      std::unique_lock lock(mu_);
      lane_cv(lane).wait(lock, [&] { return stopping_ || (flight = next_flight(lane)) != nullptr; });
      if (!flight) break;  // stopping
      flight->started = true;
      ++flights_.counters().started;
      ++flights_.counters().running;
    }
    Result<std::string> result = Error(ErrorKind::kInternal, "job did not run");
    if (auto e = run_guarded("job worker", [&] { result = work_(flight->job, flight->stop); })) result = std::move(*e);
    bool moved = false;
    {
      std::lock_guard lock(mu_);
      --flights_.counters().running;
      if (lane == Lane::kVideo) {
        --running_video_;
      } else if (!flight->urgent) {
        --running_background_;
      }
      moved = move_to_video(flight, result);
    }
    if (lane == Lane::kImage) image_cv_.notify_all();  // a background slot may have freed up
    if (moved) video_cv_.notify_one();
    idle_cv_.notify_all();
    if (!moved) finish(flight, std::move(result));
  }
  if (options_.on_thread_exit) options_.on_thread_exit();
}

bool LocalJobSystem::move_to_video(const FlightPtr& flight, Result<std::string>& result) {
  if (result.ok() || result.error().kind() != ErrorKind::kVideoLane || flight->video()) return false;
  if (!options_.move_to_video_lane) return false;
  if (stopping_ || flight->stop.token.cancelled()) {
    result = Error(ErrorKind::kCancelled, "the job was cancelled");
    return false;
  }
  if (options_.video_workers <= 0 || video_.size() >= options_.video_queue_limit) {
    result = Error(ErrorKind::kOverloaded, "too many queued video jobs; retry later", {{"retry_after", 1}});
    return false;
  }
  flight->job = to_video_lane(std::move(flight->job));
  flight->lane = Lane::kVideo;
  flight->started = false;
  flight->stop.deadline = deadline_from_epoch_ms(flight->job.deadline_ms);
  video_.push_back(flight);
  ++flights_.counters().rerouted;
  return true;
}

void LocalJobSystem::finish(const FlightPtr& flight, Result<std::string> result) {
  const FlightTable::Completion completion = [&] {
    std::lock_guard lock(mu_);
    return flights_.complete(flight, std::move(result));
  }();
  completion.deliver();
}

}  // namespace imgflo::jobs
