#include "jobs/amqp_worker.h"

#include "core/guard.h"
#include "core/json.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace imgflo::jobs {

namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr milliseconds kWorkerLoopTick{1'000};  // longest sleep: heartbeats, announcements, drain checks

LocalJobOptions pool_options(const AmqpWorkerOptions& o) {
  LocalJobOptions p;
  p.workers = std::max(1, o.threads);
  // Deliveries are bounded by the prefetch of each consumer: the pool never refuses one.
  p.queue_limit = 2 * static_cast<size_t>(o.prefetch) + 2;
  p.video_workers = o.video ? std::max(1, o.video_threads) : 0;
  p.video_queue_limit = static_cast<size_t>(o.prefetch) + 2;
  p.move_to_video_lane = false;  // the worker re-publishes to the video queue (other workers may run it)
  p.on_thread_exit = o.on_thread_exit;
  return p;
}

std::vector<std::string> participant_ids(const Topology& t) {
  std::vector<std::string> ids;
  for (WorkerQueue q : kWorkerQueues) ids.push_back(new_participant_id(t.worker_role(q)));
  return ids;
}

// "urgent+background+video": the queues a worker consumes, for its log line.
std::string roles_text(const AmqpWorkerOptions& o) {
  std::string text;
  for (auto [on, name] : {std::pair{o.urgent, "urgent"}, {o.background, "background"}, {o.video, "video"}}) {
    if (on) text += (text.empty() ? "" : "+") + std::string(name);
  }
  return text;
}

}  // namespace

AmqpWorker::AmqpWorker(WorkFunction work, AmqpWorkerOptions options)
    : options_(std::move(options)),
      participant_ids_(participant_ids(options_.topology)),
      pool_(std::move(work), pool_options(options_)),
      drain_timeout_ms_(options_.drain_timeout.count()) {}

AmqpWorker::~AmqpWorker() { stop(); }

void AmqpWorker::start() {
  if (io_.joinable()) return;
  pool_.start();
  io_ = std::thread([this] { run_until_return("worker broker I/O", [this] { io_loop(); }); });
}

void AmqpWorker::stop(milliseconds drain_timeout) {
  drain_timeout_ms_ = drain_timeout.count();
  stop();
}

void AmqpWorker::stop() {
  stopping_ = true;
  wake_.notify();
  if (io_.joinable()) io_.join();
  pool_.stop();
}

bool AmqpWorker::wait_connected(milliseconds timeout) {
  std::unique_lock lock(mu_);
  return connected_cv_.wait_for(lock, timeout, [&] { return connected_.load(); });
}

WorkerStats AmqpWorker::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

bool AmqpWorker::consumes(WorkerQueue q) const {
  switch (q) {
    case WorkerQueue::kUrgent: return options_.urgent;
    case WorkerQueue::kBackground: return options_.background;
    case WorkerQueue::kVideo: return options_.video;
  }
  return false;
}

Status AmqpWorker::setup(broker::AmqpConnection& c) {
  lanes_.clear();
  if (Status st = c.set_prefetch(options_.prefetch); !st.ok()) return st;
  // The video queue is declared even when not consumed: an image job may be moved there.
  if (Status st = options_.topology.declare_jobs(c, WorkerQueue::kVideo); !st.ok()) return st;
  for (WorkerQueue u : kWorkerQueues) {
    if (!consumes(u)) continue;
    if (Status st = options_.topology.declare_jobs(c, u); !st.ok()) return st;
    auto tag = c.consume(options_.topology.job_queue(u));
    if (!tag.ok()) return tag.take_error();
    lanes_[*tag] = u;
  }
  announce_all(c);
  return ok_status();
}

void AmqpWorker::announce_all(broker::AmqpConnection& c) {
  next_announce_ = SteadyClock::now() + options_.announce_interval;
  for (WorkerQueue u : kWorkerQueues) {
    if (!consumes(u)) continue;
    const auto& id = participant_ids_[static_cast<size_t>(u)];
    if (Status st = announce(c, worker_participant(options_.topology, u, id)); !st.ok()) {
      spdlog::warn("MsgFlo discovery message not sent: {}", st.error().message());
    }
  }
}

void AmqpWorker::io_loop() {
  broker::AmqpConnection conn(options_.amqp, [this](broker::AmqpConnection& c) { return setup(c); });
  std::optional<SteadyClock::time_point> drain_until;
  for (;;) {
    if (stopping_ && !drain_until) {
      drain_until = SteadyClock::now() + milliseconds(drain_timeout_ms_.load());
      stop_consuming(conn);
    }
    if (drain_until && (inflight_ == 0 || SteadyClock::now() >= *drain_until || !conn.connected())) break;
    if (!conn.connected()) {
      if (connected_.exchange(false)) {
        spdlog::warn("worker: lost the broker connection: {}", conn.last_error());
        down_logged_ = true;
      }
      Status st = conn.ensure_connected();
      if (!st.ok()) {
        if (!down_logged_) spdlog::warn("worker: {}", st.error().message());
        down_logged_ = true;
        finish_done(conn);  // drops outcomes of the lost connection
        wake_.wait(-1, std::clamp(conn.retry_in(), milliseconds(10), kWorkerLoopTick));
        continue;
      }
      spdlog::info("worker: connected to {} ({}, prefetch {}, {} threads, {} video threads)", conn.url().redacted(),
                   roles_text(options_), options_.prefetch, options_.threads, options_.video ? options_.video_threads : 0);
      down_logged_ = false;
      {
        std::lock_guard lock(mu_);
        connected_ = true;
      }
      connected_cv_.notify_all();
    }
    finish_done(conn);
    if (conn.connected() && !conn.buffered()) wake_.wait(conn.fd(), kWorkerLoopTick);
    receive(conn);
    finish_done(conn);
    if (conn.connected() && !stopping_ && SteadyClock::now() >= next_announce_) announce_all(conn);
  }
  if (inflight_ > 0) spdlog::warn("worker: stopping with {} unfinished jobs (they return to the queue)", inflight_);
  conn.close();
  connected_ = false;
}

// A delivery refused with requeue while still consuming comes straight back (and RabbitMQ counts
// each return towards the dead-letter limit): cancel the consumers first, so that only the
// deliveries already on their way are handed back, once each.
void AmqpWorker::stop_consuming(broker::AmqpConnection& c) {
  if (!c.connected()) return;
  for (const auto& lane : lanes_) {
    if (Status st = c.cancel(lane.first); !st.ok()) spdlog::warn("worker: {}", st.error().message());
  }
  lanes_.clear();  // on_delivery hands back whatever still arrives
}

void AmqpWorker::receive(broker::AmqpConnection& c) {
  for (int i = 0; i < 1'000 && c.connected(); ++i) {
    auto event = c.poll(milliseconds(1));  // a non-zero wait lets rabbitmq-c send/check heartbeats
    if (!event.ok() || !*event) return;
    const auto* d = std::get_if<broker::Delivery>(&**event);
    if (d && run_guarded("worker delivery", [&] { on_delivery(c, *d); })) {
      (void)c.reject(d->tag, /*requeue=*/false);  // a message that trips a bug goes to the dead letters
    }
    // Confirms of discovery messages need no handling.
  }
}

void AmqpWorker::on_delivery(broker::AmqpConnection& c, const broker::Delivery& d) {
  auto lane = lanes_.find(d.consumer_tag);
  if (lane == lanes_.end() || stopping_) {
    (void)c.reject(d.tag, /*requeue=*/true);
    return;
  }
  {
    std::lock_guard lock(mu_);
    ++stats_.received;
    if (d.redelivered || d.delivery_count > 0) ++stats_.redelivered;
  }
  auto json = nlohmann::json::parse(d.body, nullptr, false);
  auto job = json.is_discarded() ? Result<Job>(Error(ErrorKind::kInvalidArgument, "not JSON")) : job_from_json(json);
  if (!job.ok()) {
    spdlog::warn("worker: dead-lettering a malformed job message: {}", job.error().message());
    (void)c.reject(d.tag, /*requeue=*/false);
    std::lock_guard lock(mu_);
    ++stats_.rejected;
    return;
  }
  if (job->deadline_ms > 0 && job->deadline_ms < now_epoch_ms()) {
    spdlog::info("worker: job {} ({}) expired before it could start", job->id, job->key);
    {
      std::lock_guard lock(mu_);
      ++stats_.expired;
    }
    reply(c, lane->second, {job->id, job->key, Error(ErrorKind::kTimeout, "the job expired in the queue")}, d.tag);
    return;
  }
  const WorkerQueue queue = lane->second;
  spdlog::info("worker: processing job {} key {} ({}, delivery {}, request {})", job->id, job->key,
               queue_name(queue), d.delivery_count + 1, job->request_id.empty() ? "-" : job->request_id);
  // The queue decides the lane: a job of the video queue always runs here, as a video.
  job->lane = queue == WorkerQueue::kVideo ? Lane::kVideo : Lane::kImage;
  // Inside this process the urgency only orders the pool; a background-only worker uses every thread.
  if (!options_.urgent || queue == WorkerQueue::kUrgent) job->urgency = Urgency::kUrgent;
  Done pending{c.generation(), d.tag, queue, {job->id, job->key, std::string()}, *job};
  auto ticket = pool_.submit(*job, [this, pending](Result<std::string> r) mutable {
    pending.outcome.location = std::move(r);
    {
      std::lock_guard lock(mu_);
      done_.push_back(std::move(pending));
    }
    wake_.notify();
  });
  if (!ticket.ok()) {
    (void)c.reject(d.tag, /*requeue=*/true);
    return;
  }
  ++inflight_;
  std::lock_guard lock(mu_);
  ++stats_.started;
  if (queue == WorkerQueue::kVideo) ++stats_.video_started;
  stats_.running = inflight_;
}

void AmqpWorker::finish_done(broker::AmqpConnection& c) {
  std::deque<Done> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(done_);
  }
  for (const auto& done : batch) {
    --inflight_;
    {
      std::lock_guard lock(mu_);
      stats_.running = inflight_;
    }
    if (!c.connected() || done.generation != c.generation()) {
      spdlog::info("worker: job {} finished after its connection was lost; the broker hands it out again",
                   done.outcome.id);
      std::lock_guard lock(mu_);
      ++stats_.dropped;
      continue;
    }
    const bool moved = !done.outcome.location.ok() && done.outcome.location.error().kind() == ErrorKind::kVideoLane;
    if (moved && !publish_to_video(c, done)) continue;
    reply(c, done.queue, done.outcome, done.tag);
  }
}

bool AmqpWorker::publish_to_video(broker::AmqpConnection& c, const Done& done) {
  const std::string body = dump_json(to_json(to_video_lane(done.job)));
  broker::Outgoing message;
  message.body = body;
  message.message_id = done.job.id;
  // The queue's own exchange (MsgFlo's inqueue convention): this worker is no imgflo_api participant.
  Status st = c.publish_confirmed(options_.topology.job_queue(WorkerQueue::kVideo), "", message);
  std::lock_guard lock(mu_);
  if (!st.ok()) {
    spdlog::warn("worker: job {} not moved to the video queue ({}); the broker hands it out again", done.job.id,
                 st.error().message());
    ++stats_.dropped;
    return false;
  }
  spdlog::info("worker: job {} key {} has a video input: moved to the video queue", done.job.id, done.job.key);
  ++stats_.rerouted;
  return true;
}

void AmqpWorker::reply(broker::AmqpConnection& c, WorkerQueue lane, const JobOutcome& outcome, uint64_t tag) {
  const std::string body = dump_json(to_json(outcome));
  broker::Outgoing message;
  message.body = body;
  message.persistent = false;  // goes to transient per-frontend queues
  message.message_id = outcome.id;
  Status st = c.publish_confirmed(options_.topology.result_exchange(lane), "", message);
  if (st.ok()) st = c.ack(tag);
  std::lock_guard lock(mu_);
  if (!st.ok()) {
    spdlog::warn("worker: job {} not acked ({}); the broker hands it out again", outcome.id, st.error().message());
    ++stats_.dropped;
    return;
  }
  if (!outcome.location.ok() && outcome.location.error().kind() == ErrorKind::kVideoLane) return;  // rerouted
  ++(outcome.location.ok() ? stats_.succeeded : stats_.failed);
}

}  // namespace imgflo::jobs
