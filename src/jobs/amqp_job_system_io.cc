// The I/O thread of AmqpJobSystem: owns the broker connection, publishes
// queued jobs, receives results and confirms, reconnects, sweeps.
#include "jobs/amqp_job_system.h"

#include "core/guard.h"
#include "core/json.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace imgflo::jobs {

namespace {

using std::chrono::milliseconds;
constexpr milliseconds kLoopTick{1'000};   // longest sleep: heartbeats, sweeps, announcements
constexpr milliseconds kExpiryGrace{1'000};  // after the deadline, before a flight is dropped

}  // namespace

void AmqpJobSystem::io_loop() {
  broker::AmqpConnection conn(options_.amqp, [this](broker::AmqpConnection& c) { return setup(c); });
  down_since_ = now();
  while (!stopping_) {
    if (!conn.connected()) {
      if (connected_.exchange(false)) {  // submit() refuses from now on
        spdlog::warn("job queue: lost the broker connection: {}", conn.last_error());
        down_since_ = now();
      }
      Status st = conn.ensure_connected();
      if (!st.ok()) {
        on_unreachable(st.error());
        sweep();
        wake_.wait(-1, std::clamp(conn.retry_in(), milliseconds(10), kLoopTick));
        continue;
      }
      on_connected(conn);
    }
    send_outgoing(conn);
    if (conn.connected()) answer_pings(conn);
    if (conn.connected() && !conn.buffered()) wake_.wait(conn.fd(), kLoopTick);
    if (conn.connected()) drain_events(conn);
    if (conn.connected() && now() >= next_announce_) {
      if (Status st = announce(conn, frontend_participant(options_.topology, participant_id_)); !st.ok()) {
        spdlog::warn("MsgFlo discovery message not sent: {}", st.error().message());
      }
      next_announce_ = now() + options_.announce_interval;
    }
    if (conn.connected()) check_video_workers(conn);
    sweep();
  }
  if (conn.connected()) publish_before_closing(conn);
  conn.close();
  connected_ = false;
}

// The stop's wait is on the steady clock, not options_.clock: it bounds a real wait.
void AmqpJobSystem::publish_before_closing(broker::AmqpConnection& c) {
  send_outgoing(c);
  const auto until = std::chrono::steady_clock::now() + kStopPublishWait;
  while (c.connected() && !unconfirmed_.empty()) {
    const auto left = std::chrono::duration_cast<milliseconds>(until - std::chrono::steady_clock::now());
    if (left <= milliseconds(0)) {
      spdlog::warn("job queue: stopping with {} published jobs unconfirmed", unconfirmed_.size());
      return;
    }
    if (!c.buffered()) wake_.wait(c.fd(), std::min(left, kLoopTick));
    drain_events(c);
  }
}

Status AmqpJobSystem::setup(broker::AmqpConnection& c) {
  for (WorkerQueue q : kWorkerQueues) {
    if (Status st = options_.topology.declare_jobs(c, q); !st.ok()) return st;
  }
  if (Status st = options_.topology.declare_result_queue(c, participant_id_); !st.ok()) return st;
  auto tag = c.consume(Topology::result_queue(participant_id_), /*auto_ack=*/true, /*exclusive=*/true);
  if (!tag.ok()) return tag.take_error();
  unconfirmed_.clear();
  return announce(c, frontend_participant(options_.topology, participant_id_));
}

void AmqpJobSystem::on_connected(broker::AmqpConnection& c) {
  if (down_since_) {
    const auto down = std::chrono::duration_cast<milliseconds>(now() - *down_since_);
    spdlog::info("job queue: connected to {} as {} (after {} ms)", c.url().redacted(), participant_id_, down.count());
  }
  down_since_.reset();
  outage_reported_ = false;
  failure_logged_ = false;
  next_announce_ = now() + options_.announce_interval;
  std::vector<Job> again;  // unanswered jobs: their results went to the old result queue
  {
    std::lock_guard lock(mu_);
    outgoing_.clear();
    for (const auto& f : flights_.all()) {
      for (WorkerQueue q : kWorkerQueues) {
        if (const auto& job = amqp(f).published(q)) again.push_back(*job);
      }
    }
    connected_ = true;
  }
  connected_cv_.notify_all();
  if (!again.empty()) spdlog::info("job queue: publishing {} unanswered jobs again", again.size());
  for (const auto& job : again) {
    if (c.connected()) publish(c, job);
  }
}

void AmqpJobSystem::on_unreachable(const Error& e) {
  const auto at = now();
  connected_ = false;
  if (!down_since_) down_since_ = at;
  if (!failure_logged_) {
    spdlog::warn("job queue: {}", e.message());
    failure_logged_ = true;
  } else {
    spdlog::debug("job queue: {}", e.message());
  }
  if (outage_reported_ || at - *down_since_ < options_.outage_grace) return;
  outage_reported_ = true;
  std::vector<Completion> failed;
  {
    std::lock_guard lock(mu_);
    for (const auto& f : flights_.all()) {
      if (f->waiters.empty()) continue;
      // A POST's job is kept; only the waiters are answered.
      failed.push_back(f->background_interest ? flights_.answer(*f, unavailable()) : finish(f, unavailable()));
    }
  }
  if (!failed.empty()) spdlog::warn("job queue: broker still unreachable; {} waiting jobs answered 503", failed.size());
  for (const auto& c : failed) c.deliver();
}

void AmqpJobSystem::publish(broker::AmqpConnection& c, const Job& job) {
  const std::string body = dump_json(to_json(job));
  broker::Outgoing message;
  message.body = body;
  message.message_id = job.id;
  auto seq = c.publish(options_.topology.api_outport(queue_for(job)), "", message);
  if (!seq.ok()) {
    spdlog::debug("job queue: publish failed: {}", seq.error().message());
    return;  // the connection is closed; reconnecting publishes every unanswered job again
  }
  unconfirmed_[*seq] = job.key;
}

void AmqpJobSystem::answer_pings(broker::AmqpConnection& c) {
  const uint64_t asked = pings_asked_.load();
  {
    std::lock_guard lock(mu_);
    if (pings_answered_ >= asked) return;
  }
  Status pong = options_.topology.check_result_queue(c, participant_id_);
  {
    std::lock_guard lock(mu_);
    pings_answered_ = asked;
    last_pong_ = std::move(pong);
  }
  pong_cv_.notify_all();
}

void AmqpJobSystem::send_outgoing(broker::AmqpConnection& c) {
  std::deque<Job> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(outgoing_);
    std::erase_if(batch, [&](const Job& j) { return !flights_.contains(j.key); });  // withdrawn meanwhile
  }
  for (const auto& job : batch) {
    if (!c.connected()) break;
    publish(c, job);
  }
}

void AmqpJobSystem::drain_events(broker::AmqpConnection& c) {
  for (int i = 0; i < 1'000 && c.connected(); ++i) {
    auto event = c.poll(milliseconds(1));  // a non-zero wait lets rabbitmq-c send/check heartbeats
    if (!event.ok() || !*event) return;
    if (const auto* d = std::get_if<broker::Delivery>(&**event)) {
      (void)run_guarded("job queue result", [&] { on_result(*d); });  // a bad message is dropped
    } else {
      on_confirm(std::get<broker::Confirm>(**event));
    }
  }
}

void AmqpJobSystem::on_confirm(const broker::Confirm& confirm) {
  auto end = confirm.multiple ? unconfirmed_.upper_bound(confirm.tag) : unconfirmed_.find(confirm.tag);
  auto begin = confirm.multiple ? unconfirmed_.begin() : end;
  if (!confirm.multiple && end != unconfirmed_.end()) ++end;
  std::vector<std::string> refused;
  for (auto it = begin; it != end; ++it) {
    if (!confirm.ack) refused.push_back(it->second);
  }
  unconfirmed_.erase(begin, end);
  for (const auto& key : refused) {
    std::optional<Completion> c;
    {
      std::lock_guard lock(mu_);
      c = take(key, Error(ErrorKind::kUnavailable, "the job queue refused the job; retry later"));
    }
    if (c) c->deliver();
  }
}

void AmqpJobSystem::on_result(const broker::Delivery& d) {
  auto json = nlohmann::json::parse(d.body, nullptr, false);
  auto outcome = outcome_from_json(json);
  if (json.is_discarded() || !outcome.ok()) {
    spdlog::warn("job queue: ignoring a malformed result message ({} bytes)", d.body.size());
    return;
  }
  if (outcome->location.ok() && options_.on_stored) options_.on_stored(outcome->key, *outcome->location);
  std::optional<Completion> c;
  {
    std::lock_guard lock(mu_);
    auto flight = flights_.find(outcome->key);
    if (!flight) return;  // not ours, or already answered
    const auto& ids = amqp(flight).ids;
    if (!outcome->location.ok() && std::find(ids.begin(), ids.end(), outcome->id) == ids.end()) return;
    if (!outcome->location.ok() && outcome->location.error().kind() == ErrorKind::kVideoLane) {
      return move_to_video(amqp(flight), outcome->id);  // not an answer: the video worker's comes later
    }
    c = finish(flight, std::move(outcome->location));
  }
  c->deliver();
}

void AmqpJobSystem::check_video_workers(broker::AmqpConnection& c) {
  const auto at = now();
  if (at < next_video_check_) return;
  next_video_check_ = at + kLoopTick;
  std::vector<FlightTable::FlightPtr> waiting;
  {
    std::lock_guard lock(mu_);
    for (const auto& f : flights_.all()) {
      if (f->lane == Lane::kVideo && !f->waiters.empty()) waiting.push_back(f);
    }
  }
  auto consumers = waiting.empty() ? Result<uint32_t>(1u) : c.consumers(options_.topology.job_queue(WorkerQueue::kVideo));
  if (!consumers.ok() || *consumers > 0) {
    no_video_worker_since_.reset();
    return;
  }
  if (!no_video_worker_since_) no_video_worker_since_ = at;
  if (at - *no_video_worker_since_ < options_.no_video_worker_grace) return;
  const Error none(ErrorKind::kUnavailable,
                   "no video worker is running (nothing consumes the video queue); retry later", {{"retry_after", 5}});
  std::vector<Completion> answered;
  {
    std::lock_guard lock(mu_);
    for (const auto& f : waiting) {
      if (flights_.find(f->key) != f || f->waiters.empty()) continue;  // answered meanwhile
      answered.push_back(f->background_interest ? flights_.answer(*f, none) : finish(f, none));
    }
  }
  spdlog::warn("job queue: nothing consumes {}: {} waiting video jobs answered 503",
               options_.topology.job_queue(WorkerQueue::kVideo), answered.size());
  for (const auto& a : answered) a.deliver();
}

void AmqpJobSystem::sweep() {
  const auto at = now();
  if (at < next_sweep_) return;
  next_sweep_ = at + kLoopTick;
  std::vector<Completion> expired;
  {
    std::lock_guard lock(mu_);
    for (const auto& f : flights_.all()) {
      if (amqp(f).expires_at + kExpiryGrace < at) {
        expired.push_back(finish(f, Error(ErrorKind::kTimeout, "no result before the job's deadline")));
      }
    }
  }
  for (const auto& c : expired) c.deliver();
}

}  // namespace imgflo::jobs
