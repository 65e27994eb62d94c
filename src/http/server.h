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
// SIGINT/SIGTERM close the listener and stop the event loop (the caller then
// stops the job system).
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
};

class HttpServer {
 public:
  // Binds and listens (errors: kUnavailable naming the address). The handler
  // is created by `make_handler` with the server's event loop.
  static Result<std::unique_ptr<HttpServer>> create(
      const ServerOptions& options, const std::function<std::unique_ptr<Handler>(EventLoop&)>& make_handler);
  ~HttpServer();

  uint16_t port() const;
  // Runs the event loop on options.threads threads until stop() or a signal.
  void run();
  void stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace imgflo::http
