// One synchronous hiredis connection, and Redis replies as plain values.
//
// RedisConnection owns a redisContext (hiredis 0.14, blocking API). It is NOT
// thread-safe: one thread uses it at a time (RedisClient gives each of its I/O
// threads its own). Every I/O step is bounded: connect by connect_timeout,
// each reply by command_timeout (socket timeouts). Any I/O failure (hiredis
// returns no reply) closes the connection: hiredis contexts are dead after an
// error. Redis error replies ("-ERR ...") are ordinary replies of kind kError;
// the connection stays usable.
#pragma once

#include "cache/redis_config.h"
#include "core/error.h"

#include <memory>
#include <string>
#include <vector>

struct redisContext;

namespace imgflo::cache {

// A decoded reply (hiredis' redisReply copied into owned values).
struct RedisReply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string str;                  // kString, kStatus, kError
  long long integer = 0;            // kInteger
  std::vector<RedisReply> elements; // kArray

  bool is_error() const { return type == Type::kError; }
};

using RedisCommand = std::vector<std::string>;  // argv, binary-safe

class RedisConnection {
 public:
  RedisConnection() = default;
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Connects, sets timeouts and TCP keep-alive, then AUTH (if a password is
  // set), SELECT (if db != 0) and PING. kUnavailable with a message naming
  // the endpoint and the cause ("connection refused", "authentication
  // failed", "password required", "timed out"); the connection is closed then.
  Status open(const RedisClientOptions& options);
  void close();
  bool is_open() const { return ctx_ != nullptr; }

  // Queues a command in the output buffer (nothing is sent until read()).
  void append(const RedisCommand& argv);
  // Flushes pending output and reads the next reply. An error means the
  // connection failed and is now closed (kUnavailable); see timed_out().
  Result<RedisReply> read();
  // append + read.
  Result<RedisReply> command(const RedisCommand& argv);
  // Whether the last failure was a reply timeout (as opposed to a reset/EOF).
  bool timed_out() const { return timed_out_; }

 private:
  Error io_error(const std::string& step);
  Error refused(const std::string& step, const std::string& reply) const;
  Status handshake(const RedisClientOptions& options);
  Status authenticate(const RedisEndpoint& ep);

  redisContext* ctx_ = nullptr;
  std::string where_;        // endpoint description for messages
  long timeout_ms_ = 0;      // command timeout, for messages
  bool timed_out_ = false;
};

}  // namespace imgflo::cache
