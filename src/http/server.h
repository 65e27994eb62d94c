// The HTTP transport: Boost.Beast over Asio. The only translation unit that
// includes Beast (it is heavy to compile).
//
// Each connection lives on one event-loop thread (one io_context per thread,
// all accepting from one listening socket bound without SO_REUSEPORT, so a
// second server on the port fails to start). Every read has a deadline and
// size limits (request header 16 KiB, body 64 KiB — no route takes a body);
// responses are written in order, one request at a time per connection (no
// pipelining backlog). Accept errors back off (5 ms doubling to 1 s); out of
// descriptors, the waiting connection is shed with a reserve descriptor.
// Every thread runs behind an exception barrier (core/guard.h).
//
// Drain (the first SIGINT/SIGTERM, or drain()): http::draining() turns true
// (readiness 503); the listener closes — connections the kernel had already
// completed are taken first, and handshakes are dropped meanwhile, so every
// connect either is served or is refused; connections waiting idle between
// keep-alive requests are closed, new ones get kFirstRequestGrace to send
// their request; every request read is answered with "Connection: close".
// When no connection is left, or after options.drain_timeout (the rest are
// dropped), the event loops stop and run() returns; the caller then lets the
// job system finish until drain_deadline(). A second signal ends the process
// at once (status 128 + signal: http/drain.h).
// Every answered request gets an X-Request-Id (http/request_id.h), an access
// line (http/access_log.h) and a place in the request metrics
// (http/request_metrics.h), hot-path answers included.
#pragma once

#include "http/handler.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace imgflo::http {

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8080;  // 0 = pick a free port (see HttpServer::port())
  int threads = 1;       // event-loop threads
  int blocking_threads = 2;
  std::chrono::milliseconds read_timeout{15'000};   // idle keep-alive and slow clients
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds drain_timeout{30'000};  // from the stop signal to the end of the work
  // IMGFLO_METRICS_ADDR: GET /metrics on a listener of its own, with its own
  // event-loop thread ("" = none; the handler then serves /metrics on the main port).
  std::string metrics_address;
  uint16_t metrics_port = 0;  // 0 = pick a free port (see HttpServer::metrics_port())
  bool access_log = true;     // IMGFLO_ACCESS_LOG: one line per answered request (http/access_log.h)
};

class HttpServer {
 public:
  // Binds and listens (errors: kUnavailable naming the address). The handler
  // is created by `make_handler` with the server's event loop.
  static Result<std::unique_ptr<HttpServer>> create(
      const ServerOptions& options, const std::function<std::unique_ptr<Handler>(EventLoop&)>& make_handler);
  ~HttpServer();

  uint16_t port() const;
  // The metrics listener's port; 0 without one.
  uint16_t metrics_port() const;
  // Runs the event loops on options.threads threads until stop(), or until a
  // drain (a stop signal, or drain()) has answered every connection or timed out.
  void run();
  // Begins the drain, as the first stop signal does. Thread-safe; idempotent.
  void drain();
  // Stops at once: the listener closes, the event loops stop, open
  // connections are dropped when the server is destroyed. Thread-safe.
  void stop();
  // Where the drain must end (its start + options.drain_timeout): the caller
  // gives the job system what is left. Clock::time_point::max() until a drain began.
  Clock::time_point drain_deadline() const;

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace imgflo::http
