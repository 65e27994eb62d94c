#include "support/raw_http.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace imgflo::test {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
  return static_cast<int>(std::max<long long>(0, left));
}

// Non-blocking connect to 127.0.0.1:port, finished within `until`; -1 with `error` set on failure.
int connect_loopback(int port, Clock::time_point until, std::string& error) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    if (errno != EINPROGRESS) {
      error = std::string("connect: ") + std::strerror(errno);
      ::close(fd);
      return -1;
    }
    pollfd p{fd, POLLOUT, 0};
    const int n = ::poll(&p, 1, remaining_ms(until));
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (n <= 0) {
      error = "connect: timeout";
      ::close(fd);
      return -1;
    }
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
    if (so_error != 0) {
      error = std::string("connect: ") + std::strerror(so_error);
      ::close(fd);
      return -1;
    }
  }
  return fd;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  const size_t last = s.find_last_not_of(" \t\r");
  s.erase(last == std::string::npos ? 0 : last + 1);
  return s;
}

// Parses the head (status line and headers) of `raw` ending at `head_end`
// (the index after the blank line). False when the status line is malformed.
bool parse_head(const std::string& raw, size_t head_end, RawResponse& r) {
  size_t line_end = raw.find("\r\n");
  const std::string status_line = raw.substr(0, line_end);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return false;
  try {
    r.status = std::stoi(status_line.substr(9, 3));
  } catch (const std::exception&) {
    return false;
  }
  size_t at = line_end + 2;
  while (at < head_end) {
    const size_t end = raw.find("\r\n", at);
    if (end == std::string::npos || end == at) break;
    const std::string line = raw.substr(at, end - at);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) r.headers[lower(line.substr(0, colon))] = trim(line.substr(colon + 1));
    at = end + 2;
  }
  return true;
}

}  // namespace

std::string RawResponse::header(const std::string& name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? "" : it->second;
}

std::string request_bytes(std::string_view method, std::string_view target, int port,
                          const std::vector<std::string>& extra_headers) {
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  const bool own_host = std::any_of(extra_headers.begin(), extra_headers.end(),
                                    [](const std::string& h) { return lower(h.substr(0, 5)) == "host:"; });
  if (!own_host) out += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  for (const auto& h : extra_headers) out += h + "\r\n";
  out += "Connection: close\r\n\r\n";
  return out;
}

RawResponse raw_request(int port, std::string_view bytes, std::chrono::milliseconds timeout) {
  RawResponse r;
  const auto start = Clock::now();
  const auto until = start + timeout;
  auto finish = [&](std::string error) {
    r.error = std::move(error);
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
  };
  std::string error;
  const int fd = connect_loopback(port, until, error);
  if (fd < 0) return finish(error);

  // Send everything (the server may answer and close early: stop sending then).
  size_t sent = 0;
  while (sent < bytes.size()) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms(until)) <= 0) break;
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      break;
    }
    sent += static_cast<size_t>(n);
  }

  // Read until the response is complete, the peer closes, or the time is up.
  size_t head_end = std::string::npos;
  long long content_length = -1;
  bool closed = false;
  char buf[16384];
  while (true) {
    if (head_end == std::string::npos) {
      const size_t blank = r.raw.find("\r\n\r\n");
      if (blank != std::string::npos) {
        head_end = blank + 4;
        if (!parse_head(r.raw, head_end, r)) {
          ::close(fd);
          return finish("malformed status line");
        }
        const std::string cl = r.header("content-length");
        if (!cl.empty()) {
          try {
            content_length = std::stoll(cl);
          } catch (const std::exception&) {
            content_length = -1;
          }
        }
        const bool head = bytes.substr(0, 5) == "HEAD ";  // the answer's Content-Length is a GET's
        if (head || r.status == 204 || r.status == 304 || (r.status >= 100 && r.status < 200)) content_length = 0;
      }
    }
    if (head_end != std::string::npos && content_length >= 0 &&
        r.raw.size() - head_end >= static_cast<size_t>(content_length)) {
      r.body = r.raw.substr(head_end, static_cast<size_t>(content_length));
      r.complete = true;
      break;
    }
    if (closed) {
      if (head_end != std::string::npos && content_length < 0) {
        r.body = r.raw.substr(head_end);
        r.complete = true;
      }
      break;
    }
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, remaining_ms(until));
    if (ready <= 0) {
      ::close(fd);
      return finish("timeout");
    }
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      if (head_end != std::string::npos) r.body = r.raw.substr(head_end);
      return finish("recv: " + why);
    }
    if (n == 0) {
      closed = true;
      continue;
    }
    r.raw.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (!r.complete) {
    if (head_end != std::string::npos) r.body = r.raw.substr(head_end);
    return finish(r.raw.empty() ? "connection closed without a response" : "connection closed mid-response");
  }
  return finish("");
}

int connect_idle(int port, std::chrono::milliseconds timeout) {
  std::string error;
  const int fd = connect_loopback(port, Clock::now() + timeout, error);
  return fd;
}

IdleConnections::IdleConnections(int port, int count) {
  for (int i = 0; i < count; ++i) {
    const int fd = connect_idle(port);
    if (fd < 0) break;
    fds_.push_back(fd);
  }
}

IdleConnections::~IdleConnections() { close_all(); }

void IdleConnections::close_all() {
  for (int fd : fds_) ::close(fd);
  fds_.clear();
}

}  // namespace imgflo::test
