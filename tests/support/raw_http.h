// A raw-socket HTTP/1.1 client for hostile-input tests: sends arbitrary bytes
// (a raw 0xFF in the request line, a 0x80 in a header value, ...) exactly as
// given, then reads one response with an overall timeout. libcurl would
// refuse or re-encode such requests.
//
//   RawResponse r = raw_request(port, request_bytes("GET", "/\xFF", port));
//   EXPECT_EQ(r.status, 404);
//
// Also: idle loopback connections held open (accept-queue / fd-exhaustion tests).
// Every call is blocking and bounded by its timeout; nothing is shared between
// calls, so they may run on several threads at once.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::test {

struct RawResponse {
  // True when a complete response was read: status line, headers and the
  // body (Content-Length bytes, or up to the close when there is none).
  bool complete = false;
  int status = 0;                              // 0 when no status line arrived
  std::map<std::string, std::string> headers;  // lower-cased names, last one wins
  std::string body;
  std::string raw;    // every byte received
  std::string error;  // why the response is incomplete ("timeout", "connection refused", ...)
  double seconds = 0;  // from connect to the end of the response
  std::string header(const std::string& name) const;  // "" when absent
};

// "METHOD TARGET HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n<extra lines>Connection: close\r\n\r\n".
// `target` and `extra_headers` ("Name: value", without CRLF) are copied byte for byte;
// a "Host:" line in extra_headers replaces the default one.
std::string request_bytes(std::string_view method, std::string_view target, int port,
                          const std::vector<std::string>& extra_headers = {});

// Connects to 127.0.0.1:port, sends `bytes`, reads one response. The whole
// exchange is bounded by `timeout`. A request starting with "HEAD " expects no body.
RawResponse raw_request(int port, std::string_view bytes,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000));

// A connected, silent TCP socket to 127.0.0.1:port (the handshake completed;
// nothing sent), or -1. The caller closes it.
int connect_idle(int port, std::chrono::milliseconds timeout = std::chrono::milliseconds(5'000));

// Holds `count` idle connections to a port until destroyed or closed.
class IdleConnections {
 public:
  IdleConnections(int port, int count);
  ~IdleConnections();
  IdleConnections(const IdleConnections&) = delete;
  IdleConnections& operator=(const IdleConnections&) = delete;
  int opened() const { return static_cast<int>(fds_.size()); }
  void close_all();

 private:
  std::vector<int> fds_;
};

}  // namespace imgflo::test
