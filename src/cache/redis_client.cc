#include "cache/redis_client.h"

#include "core/guard.h"

#include <algorithm>
#include <future>
#include <random>

#include <pthread.h>
#include <signal.h>

namespace imgflo::cache {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

thread_local bool t_on_io_thread = false;

// hiredis write()s to its socket; writing to a connection Redis has reset raises SIGPIPE, whose
// default action kills the process. Blocked in this thread, the write fails with EPIPE instead
// (the signal stays pending on this thread and is never delivered).
void block_sigpipe_in_this_thread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// Exponential backoff with +-20% jitter, so that frontends do not reconnect in step.
class Backoff {
 public:
  Backoff(milliseconds min, milliseconds max) : min_(min), max_(max), next_(min), rng_(std::random_device{}()) {}
  milliseconds next() {
    const milliseconds base = next_;
    next_ = std::min(max_, next_ * 2);
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    return milliseconds(static_cast<long>(static_cast<double>(base.count()) * jitter(rng_)));
  }
  void reset() { next_ = min_; }

 private:
  milliseconds min_, max_, next_;
  std::minstd_rand rng_;
};

// Ok for a PING's answer, else why not.
Status checked_pong(Result<RedisReply> r) {
  if (!r.ok()) return r.take_error();
  if (r->is_error()) return Error(ErrorKind::kUnavailable, "Redis refused PING: " + r->str);
  return ok_status();
}

}  // namespace

struct RedisClient::Worker {
  RedisConnection conn;
  Backoff backoff;
  Clock::time_point next_attempt = Clock::now();
};

Result<std::shared_ptr<RedisClient>> RedisClient::create(RedisClientOptions options) {
  if (Status st = options.validate(); !st.ok()) return st.take_error();
  std::shared_ptr<RedisClient> client(new RedisClient(std::move(options)));
  for (int i = 0; i < client->options_.connections; ++i) client->threads_.emplace_back([c = client.get()] { run_until_return("redis I/O", [c] { c->run(); }); });
  return client;
}

RedisClient::RedisClient(RedisClientOptions options) : options_(std::move(options)) {}

RedisClient::~RedisClient() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  stop_cv_.notify_all();
  for (auto& t : threads_) t.join();
  std::deque<Pending> rest;
  {
    std::lock_guard lock(mu_);
    rest.swap(queue_);
  }
  fail_all(std::move(rest), Error(ErrorKind::kUnavailable, "Redis client stopped"));
}

void RedisClient::submit(RedisCommand argv, ReplyCallback done) {
  ++submitted_;
  std::optional<Error> refuse;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      refuse.emplace(ErrorKind::kUnavailable, "Redis client stopped");
    } else if (state_.load() == State::kDown) {
      refuse.emplace(ErrorKind::kUnavailable, last_error_ + " (reconnecting)");
    } else if (queue_.size() >= options_.queue_capacity) {
      refuse.emplace(ErrorKind::kUnavailable, "Redis queue full (" + std::to_string(options_.queue_capacity) +
                                                  " commands waiting at " + options_.endpoint.describe() + ")");
    } else {
      queue_.push_back(Pending{std::move(argv), std::move(done), Clock::now()});
    }
  }
  if (!refuse) return work_cv_.notify_one();
  ++rejected_;
  done(std::move(*refuse));
}

Result<RedisReply> RedisClient::call(RedisCommand argv) {
  if (t_on_io_thread) return Error(ErrorKind::kInternal, "blocking Redis call from a Redis I/O thread");
  std::promise<Result<RedisReply>> promise;
  auto future = promise.get_future();
  submit(std::move(argv), [&promise](Result<RedisReply> r) { promise.set_value(std::move(r)); });
  return future.get();  // every submitted command is answered exactly once
}

Status RedisClient::ping() { return checked_pong(call({"PING"})); }

Status RedisClient::ping(std::chrono::milliseconds timeout) {
  if (t_on_io_thread) return Error(ErrorKind::kInternal, "blocking Redis call from a Redis I/O thread");
  auto answer = std::make_shared<std::promise<Result<RedisReply>>>();
  auto future = answer->get_future();
  submit({"PING"}, [answer](Result<RedisReply> r) { answer->set_value(std::move(r)); });
  if (future.wait_for(timeout) != std::future_status::ready) {
    return Error(ErrorKind::kTimeout, "Redis at " + options_.endpoint.describe() + " did not answer PING within " +
                                          std::to_string(timeout.count()) + " ms");
  }
  return checked_pong(future.get());
}

RedisClient::Stats RedisClient::stats() const {
  return Stats{submitted_.load(), rejected_.load(), io_failures_.load(), connects_.load()};
}

void RedisClient::run() {
  t_on_io_thread = true;
  block_sigpipe_in_this_thread();
  Worker w{RedisConnection(), Backoff(options_.backoff_min, options_.backoff_max)};
  while (true) {
    if (!w.conn.is_open()) {
      if (!wait_for_attempt(w.next_attempt)) break;
      if (Status st = w.conn.open(options_); !st.ok()) {
        mark_down(st.error());
        w.next_attempt = Clock::now() + w.backoff.next();
        continue;
      }
      w.backoff.reset();
      ++connects_;
      mark_up();
    }
    std::vector<Pending> batch = take_batch();
    if (batch.empty()) break;
    if (!run_batch(w, batch)) w.next_attempt = Clock::now() + w.backoff.next();
  }
}

bool RedisClient::wait_for_attempt(Clock::time_point when) {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (state_.load() == State::kDown && !queue_.empty()) {
      // Commands queued before Redis went down: answer them now, not after the backoff.
      std::deque<Pending> stale;
      stale.swap(queue_);
      Error error(ErrorKind::kUnavailable, last_error_);
      lock.unlock();
      fail_all(std::move(stale), error);
      lock.lock();
      continue;
    }
    if (Clock::now() >= when) return true;
    stop_cv_.wait_until(lock, when);
  }
  return false;
}

std::vector<RedisClient::Pending> RedisClient::take_batch() {
  std::vector<Pending> batch;
  std::deque<Pending> expired;
  {
    std::unique_lock lock(mu_);
    work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return batch;
    const auto oldest_allowed = Clock::now() - options_.command_timeout;
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      auto& p = queue_.front();
      if (p.queued_at < oldest_allowed) expired.push_back(std::move(p));
      else batch.push_back(std::move(p));
      queue_.pop_front();
    }
  }
  fail_all(std::move(expired), Error(ErrorKind::kUnavailable, "Redis command waited longer than " +
                                                                  std::to_string(options_.command_timeout.count()) +
                                                                  " ms for a connection"));
  if (batch.empty()) return take_batch();
  return batch;
}

bool RedisClient::run_batch(Worker& w, std::vector<Pending>& batch) {
  for (const auto& p : batch) w.conn.append(p.argv);
  size_t done = 0;
  bool reopened = false;
  while (done < batch.size()) {
    auto reply = w.conn.read();
    if (reply.ok()) {
      // Another thread may have marked Redis down (e.g. its connect failed) while this one works.
      if (done == 0 && state_.load() != State::kUp) mark_up();
      batch[done++].done(std::move(reply));
      continue;
    }
    Error error = reply.take_error();
    // A reset or EOF before any reply (e.g. Redis restarted while idle): reopen once and re-send.
    if (done == 0 && !reopened && !w.conn.timed_out()) {
      reopened = true;
      Status st = w.conn.open(options_);
      if (st.ok()) {
        ++connects_;
        for (const auto& p : batch) w.conn.append(p.argv);
        continue;
      }
      error = st.take_error();
    }
    mark_down(error);
    for (; done < batch.size(); ++done) batch[done].done(error);
    return false;
  }
  return true;
}

void RedisClient::mark_down(const Error& error) {
  ++io_failures_;
  std::lock_guard lock(mu_);
  last_error_ = error.message();
  state_.store(State::kDown);
}

void RedisClient::mark_up() {
  std::lock_guard lock(mu_);
  state_.store(State::kUp);
}

void RedisClient::fail_all(std::deque<Pending> pending, const Error& error) {
  for (auto& p : pending) p.done(error);
}

}  // namespace imgflo::cache
