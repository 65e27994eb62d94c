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
  p.on_thread_exit = o.on_thread_exit;
  return p;
}

const char* lane_name(Urgency u) { return u == Urgency::kUrgent ? "urgent" : "background"; }

}  // namespace

AmqpWorker::AmqpWorker(WorkFunction work, AmqpWorkerOptions options)
    : options_(std::move(options)),
      urgent_id_(new_participant_id(options_.topology.worker_role(Urgency::kUrgent))),
      background_id_(new_participant_id(options_.topology.worker_role(Urgency::kBackground))),
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

Status AmqpWorker::setup(broker::AmqpConnection& c) {
  lanes_.clear();
  if (Status st = c.set_prefetch(options_.prefetch); !st.ok()) return st;
  for (Urgency u : {Urgency::kUrgent, Urgency::kBackground}) {
    if (!(u == Urgency::kUrgent ? options_.urgent : options_.background)) continue;
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
  for (Urgency u : {Urgency::kUrgent, Urgency::kBackground}) {
    if (!(u == Urgency::kUrgent ? options_.urgent : options_.background)) continue;
    const auto& id = u == Urgency::kUrgent ? urgent_id_ : background_id_;
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
      spdlog::info("worker: connected to {} ({}{}{}, prefetch {}, {} threads)", conn.url().redacted(),
                   options_.urgent ? "urgent" : "", options_.urgent && options_.background ? "+" : "",
                   options_.background ? "background" : "", options_.prefetch, options_.threads);
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
  spdlog::info("worker: processing job {} key {} ({}, delivery {}, request {})", job->id, job->key,
               lane_name(lane->second), d.delivery_count + 1, job->request_id.empty() ? "-" : job->request_id);
  // Inside this process the lane only orders the pool; a background-only worker uses every thread.
  job->urgency = options_.urgent ? lane->second : Urgency::kUrgent;
  Done pending{c.generation(), d.tag, lane->second, {job->id, job->key, std::string()}};
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
    reply(c, done.lane, done.outcome, done.tag);
  }
}

void AmqpWorker::reply(broker::AmqpConnection& c, Urgency lane, const JobOutcome& outcome, uint64_t tag) {
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
  ++(outcome.location.ok() ? stats_.succeeded : stats_.failed);
}

}  // namespace imgflo::jobs
