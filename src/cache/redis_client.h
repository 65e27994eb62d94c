// An asynchronous Redis client: a few I/O threads, each owning one
// connection, fed by one bounded queue.
//
// submit() never blocks: it queues the command and returns; the callback runs
// later on an I/O thread. It calls back at once, on the caller's thread,
// with kUnavailable when the queue is full, when Redis is known to be down
// (the last connect or command failed), or after the client began stopping.
// Each I/O thread pipelines up to max_batch queued commands per round trip.
//
// Failures: a lost connection (reset, EOF) is reopened once at once and the
// unanswered commands are re-sent (so a Redis restart between two commands is
// invisible; commands sent through here must tolerate running twice, as GET,
// SET and the in-flight scripts do). A reply slower than command_timeout, or
// a failed reopen, fails the affected commands with kUnavailable and marks
// Redis down; the threads then reconnect with exponential backoff, and the
// first successful connection marks it up again. Commands that waited longer
// than command_timeout in the queue fail without being sent. So every
// callback comes within about connect_timeout + 2 x command_timeout.
//
// Redis error replies ("-ERR ...") are delivered as replies of kind kError;
// they do not mark Redis down.
//
// Thread-safety: all methods may be called from any thread. Callbacks run on
// an I/O thread (or inline, see above); they must be quick, must not throw
// and must not drop the last reference to the client. call() and ping()
// block and must not be used from a callback.
#pragma once

#include "cache/redis_config.h"
#include "cache/redis_connection.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace imgflo::cache {

using ReplyCallback = std::function<void(Result<RedisReply>)>;

class RedisClient {
 public:
  enum class State { kConnecting, kUp, kDown };

  struct Stats {
    uint64_t submitted = 0;    // submit() calls
    uint64_t rejected = 0;     // answered at once (down, queue full, stopping)
    uint64_t io_failures = 0;  // connect or command failures
    uint64_t connects = 0;     // successful (re)connections
  };

  // Validates the options and starts the I/O threads; they connect in the
  // background (commands submitted meanwhile wait for the first attempt).
  static Result<std::shared_ptr<RedisClient>> create(RedisClientOptions options);
  // Stops and joins the I/O threads (each returns within the timeouts);
  // commands still queued are answered with kUnavailable.
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  void submit(RedisCommand argv, ReplyCallback done);
  // Blocking submit (for worker threads). kInternal from an I/O thread.
  Result<RedisReply> call(RedisCommand argv);
  // PING through the queue: ok, or the kUnavailable explaining why not.
  Status ping();
  // The same, waiting at most `timeout` for the answer (then kTimeout; the
  // command is still answered later, to nobody).
  Status ping(std::chrono::milliseconds timeout);

  State state() const { return state_.load(); }
  Stats stats() const;
  const RedisClientOptions& options() const { return options_; }

 private:
  struct Pending {
    RedisCommand argv;
    ReplyCallback done;
    std::chrono::steady_clock::time_point queued_at;
  };
  struct Worker;  // one I/O thread's connection and backoff

  explicit RedisClient(RedisClientOptions options);
  void run();
  bool wait_for_attempt(std::chrono::steady_clock::time_point when);  // false: stopping
  std::vector<Pending> take_batch();                                   // empty: stopping
  bool run_batch(Worker& w, std::vector<Pending>& batch);              // false: connection lost
  void mark_down(const Error& error);
  void mark_up();
  void fail_all(std::deque<Pending> pending, const Error& error);

  // Constant after construction.
  const RedisClientOptions options_;
  std::vector<std::thread> threads_;

  std::atomic<State> state_{State::kConnecting};
  std::atomic<uint64_t> submitted_{0}, rejected_{0}, io_failures_{0}, connects_{0};

  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // queue_ gained a command, or stopping
  std::condition_variable stop_cv_;   // stopping (wakes threads waiting to reconnect)
  std::deque<Pending> queue_;     // guarded by mu_
  std::string last_error_;        // guarded by mu_; why Redis is down
  bool stopping_ = false;         // guarded by mu_
};

}  // namespace imgflo::cache
