// Redis connection settings and URL parsing. The environment variables
// (IMGFLO_REDIS_URL, REDISCLOUD_URL, IMGFLO_REDIS_TTL, IMGFLO_REDIS_PREFIX)
// are read by app::Config into RedisIndexSettings.
//
// URL form (the original's IMGFLO_REDIS_URL / REDISCLOUD_URL):
//   redis://[[user]:password@]host[:port][/db]
// host may be a name, an IPv4 address or a bracketed IPv6 address; port
// defaults to 6379 and db to 0. User and password are percent-decoded. With a
// user, AUTH is sent as "AUTH user password" and, if Redis refuses it, as the
// legacy "AUTH password" (hosted Redis URLs carry a dummy user name that the
// original ignored). rediss:// (TLS) is refused: hiredis 0.14 has no TLS.
#pragma once

#include "core/error.h"

#include <chrono>
#include <cstddef>
#include <string>

namespace imgflo::cache {

// Prefix of every Redis key unless IMGFLO_REDIS_PREFIX says otherwise (the
// original's cache_redis_prefix).
inline constexpr const char* kDefaultRedisPrefix = "imgflo_cache/";

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;      // empty: no user name (AUTH password)
  std::string password;  // empty: no AUTH
  int db = 0;            // SELECTed after connecting when non-zero

  // "host:port/db" for messages; never contains the password.
  std::string describe() const;
};

// kInvalidArgument naming the problem (never echoing the password).
Result<RedisEndpoint> parse_redis_url(const std::string& url);

// How the client talks to Redis. Defaults suit a loopback or LAN Redis.
struct RedisClientOptions {
  RedisEndpoint endpoint;
  // TCP connect, and AUTH/SELECT/PING handshake replies, each bounded by this.
  std::chrono::milliseconds connect_timeout{500};
  // Any reply slower than this kills the connection and fails the command
  // with kUnavailable (the caller gets a prompt answer, not a hang).
  std::chrono::milliseconds command_timeout{1000};
  // Reconnect delays after a failure: doubling from min to max, +-20% jitter.
  std::chrono::milliseconds backoff_min{50};
  std::chrono::milliseconds backoff_max{1000};
  // I/O threads, each owning one connection. Two keep a slow command from
  // stalling every lookup; more rarely help (Redis itself is single-threaded).
  int connections = 2;
  // Commands waiting for an I/O thread. Beyond this, submit() fails at once.
  size_t queue_capacity = 4096;
  // Commands one I/O thread pipelines in one round trip.
  size_t max_batch = 64;

  Status validate() const;
};

// The cache-index part of the configuration.
struct RedisIndexSettings {
  RedisClientOptions client;        // endpoint: IMGFLO_REDIS_URL, else REDISCLOUD_URL
  std::chrono::seconds ttl{86400};  // IMGFLO_REDIS_TTL: lifetime of imgflo_cache/url/<key>
  std::string prefix = kDefaultRedisPrefix;  // IMGFLO_REDIS_PREFIX: before every key
};

}  // namespace imgflo::cache
