// A scripted HTTP/1.1 origin on a loopback address, for tests that must not
// touch the real network (fetcher tests, HTTP end-to-end tests).
//
// Each accepted connection is served on its own thread: the request head is
// read, recorded, answered with the response scripted for its target, and
// the connection is closed ("Connection: close"). Responses can be delayed,
// dripped slowly, redirect elsewhere, or carry a Content-Length that lies.
// Unscripted targets get a 404.
//
// Thread-safety: on(), hits() and requests() may be called from any thread
// while the origin serves. The destructor stops accepting, cuts delays and
// drips short, and joins every thread it started.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace imgflo::test {

struct OriginResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // sent in order, verbatim
  std::string body;
  // Adds "Content-Length: body.size()". When false the body is delimited by
  // closing the connection, unless `headers` carries a (possibly lying)
  // Content-Length of its own.
  bool auto_content_length = true;
  std::chrono::milliseconds delay{0};  // pause before the status line
  std::size_t drip_bytes = 0;          // > 0: send the body in pieces of this size,
  std::chrono::milliseconds drip_interval{0};  // pausing this long between pieces

  static OriginResponse ok(std::string body, std::string content_type);
  static OriginResponse redirect(std::string location, int status = 302);
};

struct OriginRequest {
  std::string method;
  std::string target;  // as sent, query included
  std::vector<std::pair<std::string, std::string>> headers;
  // Value of a header (name case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
};

class TestOrigin {
 public:
  // Listens on `address` ("127.0.0.1", "127.0.0.2", "::1", ...) at a free port.
  // Throws std::runtime_error if the socket cannot be set up.
  explicit TestOrigin(const std::string& address = "127.0.0.1");
  ~TestOrigin();
  TestOrigin(const TestOrigin&) = delete;
  TestOrigin& operator=(const TestOrigin&) = delete;

  std::uint16_t port() const { return port_; }
  std::string host_port() const;              // "127.0.0.1:PORT", "[::1]:PORT"
  std::string url(std::string_view path) const;  // "http://" + host_port() + path

  // Scripts the answer for a request target. A target with a query is matched
  // exactly first, then by its path alone.
  void on(const std::string& target, OriginResponse response);
  int hits(const std::string& target) const;  // requests answered for a scripted target
  std::vector<OriginRequest> requests() const;

 private:
  void accept_loop();
  void serve(int fd);
  OriginResponse lookup(const std::string& target);
  bool pause(std::chrono::milliseconds d) const;  // false when stopping
  void send_response(int fd, const OriginResponse& r) const;

  std::string address_;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;

  mutable std::mutex mu_;
  std::map<std::string, OriginResponse> script_;  // guarded by mu_
  std::map<std::string, int> hits_;               // guarded by mu_
  std::vector<OriginRequest> requests_;           // guarded by mu_
  std::vector<std::thread> workers_;              // guarded by mu_
};

// A loopback listener whose accept queue is kept full, so new connections
// never complete the TCP handshake: connect attempts to it hang until the
// client's connect timeout.
class BlackholeListener {
 public:
  BlackholeListener();
  ~BlackholeListener();
  BlackholeListener(const BlackholeListener&) = delete;
  BlackholeListener& operator=(const BlackholeListener&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path) const;

 private:
  int listen_fd_ = -1;
  std::vector<int> fillers_;
  std::uint16_t port_ = 0;
};

}  // namespace imgflo::test
