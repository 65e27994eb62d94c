#include "jobs/local_job_system.h"

#include "core/guard.h"

#include <algorithm>

namespace imgflo::jobs {

LocalJobSystem::LocalJobSystem(WorkFunction work, LocalJobOptions options)
    : work_(std::move(work)), options_(std::move(options)) {}

LocalJobSystem::~LocalJobSystem() { stop(); }

void LocalJobSystem::start() {
  for (int i = 0; i < std::max(1, options_.workers); ++i) threads_.emplace_back([this] { worker_loop(); });
}

void LocalJobSystem::stop() {
  std::vector<FlightPtr> abandoned;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    for (auto& [key, f] : flights_) {
      f->stop.token.cancel();
      if (!f->started) abandoned.push_back(f);
    }
    urgent_.clear();
    background_.clear();
  }
  cv_.notify_all();
  for (auto& f : abandoned) finish(f, Error(ErrorKind::kCancelled, "the server is shutting down"));
  for (auto& t : threads_) t.join();
  threads_.clear();
}

Result<uint64_t> LocalJobSystem::submit(Job job, JobCallback done) {
  std::lock_guard lock(mu_);
  if (stopping_) return Error(ErrorKind::kUnavailable, "the server is shutting down");
  const bool urgent = job.urgency == Urgency::kUrgent;
  auto it = flights_.find(job.key);
  FlightPtr flight;
  if (it != flights_.end()) {
    flight = it->second;
    ++stats_.coalesced;
    if (urgent && !flight->urgent && !flight->started) {  // promote a queued background job
      background_.erase(std::find(background_.begin(), background_.end(), flight));
      urgent_.push_back(flight);
      flight->urgent = true;
    }
  } else {
    if (urgent_.size() + background_.size() >= options_.queue_limit) {
      ++stats_.rejected;
      return Error(ErrorKind::kOverloaded, "too many queued jobs; retry later", {{"retry_after", 1}});
    }
    flight = std::make_shared<Flight>();
    flight->job = std::move(job);
    flight->urgent = urgent;
    flight->stop.deadline = deadline_from_epoch_ms(flight->job.deadline_ms);
    flights_[flight->job.key] = flight;
    (urgent ? urgent_ : background_).push_back(flight);
  }
  ++stats_.submitted;
  const uint64_t ticket = next_ticket_++;
  if (done) {
    flight->waiters.push_back({ticket, std::move(done)});
    tickets_[ticket] = flight;
  } else {
    flight->background_interest = true;
  }
  cv_.notify_one();
  return ticket;
}

void LocalJobSystem::withdraw(uint64_t ticket) {
  std::lock_guard lock(mu_);
  auto it = tickets_.find(ticket);
  if (it == tickets_.end()) return;
  FlightPtr flight = it->second;
  tickets_.erase(it);
  std::erase_if(flight->waiters, [&](const Waiter& w) { return w.ticket == ticket; });
  drop_if_abandoned(flight);
}

void LocalJobSystem::drop_if_abandoned(const FlightPtr& flight) {
  if (!flight->waiters.empty() || flight->background_interest) return;
  ++stats_.cancelled;
  flight->stop.token.cancel();
  if (flight->started) return;  // the worker notices the token and finishes it
  auto& queue = flight->urgent ? urgent_ : background_;
  queue.erase(std::remove(queue.begin(), queue.end(), flight), queue.end());
  flights_.erase(flight->job.key);
}

JobStats LocalJobSystem::stats() const {
  std::lock_guard lock(mu_);
  JobStats s = stats_;
  s.queued = urgent_.size() + background_.size();
  return s;
}

LocalJobSystem::FlightPtr LocalJobSystem::next_flight() {
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

void LocalJobSystem::worker_loop() {
  for (;;) {
    FlightPtr flight;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || (flight = next_flight()) != nullptr; });
      if (!flight) break;  // stopping
      flight->started = true;
      ++stats_.started;
      ++stats_.running;
    }
    Result<std::string> result = Error(ErrorKind::kInternal, "job did not run");
    if (auto e = run_guarded("job worker", [&] { result = work_(flight->job, flight->stop); })) result = std::move(*e);
    {
      std::lock_guard lock(mu_);
      --stats_.running;
      if (!flight->urgent) --running_background_;
    }
    cv_.notify_all();  // a background slot may have freed up
    finish(flight, std::move(result));
  }
  if (options_.on_thread_exit) options_.on_thread_exit();
}

void LocalJobSystem::finish(const FlightPtr& flight, Result<std::string> result) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mu_);
    auto it = flights_.find(flight->job.key);
    if (it != flights_.end() && it->second == flight) flights_.erase(it);
    waiters.swap(flight->waiters);
    for (const auto& w : waiters) tickets_.erase(w.ticket);
    ++(result.ok() ? stats_.succeeded : stats_.failed);
  }
  for (auto& w : waiters) deliver(w.done, result);
}

}  // namespace imgflo::jobs
