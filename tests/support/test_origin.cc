#include "support/test_origin.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

namespace imgflo::test {
namespace {

using namespace std::chrono;

constexpr milliseconds kTick{10};                 // granularity of pauses and polls
constexpr std::size_t kMaxHead = 64 * 1024;       // request head size cap
constexpr milliseconds kHeadTimeout{5000};        // time a client has to send its head

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 307: return "Temporary Redirect";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    default: return "Status";
  }
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Binds a TCP socket to address:0; returns the fd and fills `port`.
int bind_listener(const std::string& address, int backlog, std::uint16_t& port) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* info = nullptr;
  if (getaddrinfo(address.c_str(), "0", &hints, &info) != 0) throw std::runtime_error("bad address " + address);
  const int fd = ::socket(info->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool ok = fd >= 0 && ::bind(fd, info->ai_addr, info->ai_addrlen) == 0 && ::listen(fd, backlog) == 0;
  freeaddrinfo(info);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  if (!ok || ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot listen on " + address);
  }
  port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return fd;
}

// Parses "GET /x HTTP/1.1\r\nName: value\r\n...".
OriginRequest parse_head(const std::string& head) {
  OriginRequest req;
  size_t pos = head.find("\r\n");
  const std::string line = head.substr(0, pos);
  const size_t sp1 = line.find(' '), sp2 = line.find(' ', sp1 + 1);
  req.method = line.substr(0, sp1);
  req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  while (pos != std::string::npos && pos + 2 < head.size()) {
    const size_t next = head.find("\r\n", pos + 2);
    const std::string h = head.substr(pos + 2, next - pos - 2);
    const size_t colon = h.find(':');
    if (colon != std::string::npos) {
      size_t v = colon + 1;
      while (v < h.size() && h[v] == ' ') ++v;
      req.headers.emplace_back(h.substr(0, colon), h.substr(v));
    }
    pos = next;
  }
  return req;
}

}  // namespace

OriginResponse OriginResponse::ok(std::string body, std::string content_type) {
  OriginResponse r;
  r.headers = {{"Content-Type", std::move(content_type)}};
  r.body = std::move(body);
  return r;
}

OriginResponse OriginResponse::redirect(std::string location, int status) {
  OriginResponse r;
  r.status = status;
  r.headers = {{"Location", std::move(location)}};
  r.body = "redirecting";
  return r;
}

std::string OriginRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequal(k, name)) return v;
  return {};
}

TestOrigin::TestOrigin(const std::string& address) : address_(address) {
  listen_fd_ = bind_listener(address, 64, port_);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestOrigin::~TestOrigin() {
  stopping_ = true;
  acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
}

std::string TestOrigin::host_port() const {
  const bool v6 = address_.find(':') != std::string::npos;
  return (v6 ? "[" + address_ + "]" : address_) + ":" + std::to_string(port_);
}

std::string TestOrigin::url(std::string_view path) const { return "http://" + host_port() + std::string(path); }

void TestOrigin::on(const std::string& target, OriginResponse response) {
  std::lock_guard lock(mu_);
  script_[target] = std::move(response);
}

int TestOrigin::hits(const std::string& target) const {
  std::lock_guard lock(mu_);
  const auto it = hits_.find(target);
  return it == hits_.end() ? 0 : it->second;
}

std::vector<OriginRequest> TestOrigin::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void TestOrigin::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(kTick.count())) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, fd] {
      serve(fd);
      ::close(fd);
    });
  }
}

bool TestOrigin::pause(milliseconds d) const {
  for (auto end = steady_clock::now() + d; steady_clock::now() < end;) {
    if (stopping_) return false;
    std::this_thread::sleep_for(std::min(kTick, duration_cast<milliseconds>(end - steady_clock::now())));
  }
  return !stopping_;
}

void TestOrigin::serve(int fd) {
  std::string head;
  char buf[4096];
  const auto give_up = steady_clock::now() + kHeadTimeout;
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (stopping_ || head.size() > kMaxHead || steady_clock::now() > give_up) return;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(kTick.count())) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  OriginRequest req = parse_head(head);
  const OriginResponse response = lookup(req.target);
  {
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(req));
  }
  send_response(fd, response);
  ::shutdown(fd, SHUT_WR);
}

OriginResponse TestOrigin::lookup(const std::string& target) {
  std::lock_guard lock(mu_);
  auto it = script_.find(target);
  if (it == script_.end()) it = script_.find(target.substr(0, target.find('?')));
  if (it == script_.end()) {
    OriginResponse missing;
    missing.status = 404;
    missing.body = "not found";
    return missing;
  }
  ++hits_[it->first];
  return it->second;
}

void TestOrigin::send_response(int fd, const OriginResponse& r) const {
  if (!pause(r.delay)) return;
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(reason(r.status)) + "\r\n";
  for (const auto& [k, v] : r.headers) head += k + ": " + v + "\r\n";
  if (r.auto_content_length) head += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  head += "Connection: close\r\n\r\n";
  if (!send_all(fd, head)) return;
  const std::size_t piece = r.drip_bytes > 0 ? r.drip_bytes : std::max<std::size_t>(r.body.size(), 1);
  for (std::size_t at = 0; at < r.body.size(); at += piece) {
    if (at > 0 && !pause(r.drip_interval)) return;
    if (!send_all(fd, std::string_view(r.body).substr(at, piece))) return;
  }
}

BlackholeListener::BlackholeListener() {
  listen_fd_ = bind_listener("127.0.0.1", 0, port_);
  // Complete enough handshakes to fill the accept queue (never accepted):
  // Linux then drops further SYNs, so later connects hang.
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port_);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < 3; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    (void)::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
    fillers_.push_back(fd);
  }
  std::this_thread::sleep_for(milliseconds(50));  // let the handshakes land
}

BlackholeListener::~BlackholeListener() {
  for (int fd : fillers_) ::close(fd);
  ::close(listen_fd_);
}

std::string BlackholeListener::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

}  // namespace imgflo::test
