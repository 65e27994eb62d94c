#include "http/server.h"

#include "core/guard.h"
#include "http/access_log.h"
#include "http/drain.h"
#include "http/request_id.h"
#include "http/request_target.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <linux/filter.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace imgflo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr size_t kBodyLimit = 64 * 1024;
// During a drain, a connection that has sent nothing yet gets this long to send its first
// request (it connected before the listener closed), then it is closed.
constexpr std::chrono::milliseconds kFirstRequestGrace{1'000};

class AsioEventLoop final : public EventLoop {
 public:
  AsioEventLoop(asio::io_context& ioc, int blocking_threads)
      : ioc_(ioc), blocking_(static_cast<size_t>(std::max(1, blocking_threads))) {}
  ~AsioEventLoop() override { blocking_.join(); }

  std::function<void()> after(Clock::duration delay, std::function<void()> fn) override {
    auto strand = asio::make_strand(ioc_);
    auto timer = std::make_shared<asio::steady_timer>(strand, delay);
    timer->async_wait([timer, fn = std::move(fn)](beast::error_code ec) {
      if (!ec) (void)run_guarded("timer callback", fn);
    });
    return [timer, strand] { asio::post(strand, [timer] { timer->cancel(); }); };
  }

  void post_blocking(std::function<void()> fn) override {
    asio::post(blocking_, [fn = std::move(fn)] { (void)run_guarded("blocking task", fn); });
  }

 private:
  asio::io_context& ioc_;
  asio::thread_pool blocking_;
};

HttpRequest to_request(const bhttp::request<bhttp::string_body>& req) {
  HttpRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  if (auto it = req.find(bhttp::field::host); it != req.end()) r.host = std::string(it->value());
  if (auto it = req.find(bhttp::field::if_none_match); it != req.end()) r.if_none_match = std::string(it->value());
  if (auto it = req.find(bhttp::field::accept); it != req.end()) r.accept = std::string(it->value());
  if (auto it = req.find(bhttp::field::origin); it != req.end()) r.origin = std::string(it->value());
  return r;
}

bhttp::response<bhttp::string_body> to_beast(HttpResponse&& res, bool head, unsigned version, bool keep_alive,
                                             std::string_view request_id) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
  out.set(bhttp::field::server, "imgflo-server");
  out.set("X-Content-Type-Options", "nosniff");  // stored results (noop) are served as their type, never sniffed
  out.set("X-Request-Id", beast::string_view(request_id.data(), request_id.size()));
  for (auto& [name, value] : res.headers) out.set(name, value);
  out.keep_alive(keep_alive);
  const size_t length = res.body.size();
  if (!head) out.body() = std::move(res.body);
  out.content_length(length);  // HEAD: the length of the body a GET would carry
  return out;
}

class Session;

// The open connections of one server, for the drain: sessions register when
// they start and leave when destroyed (on any thread). Thread-safe.
class Connections {
 public:
  void add(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(mu_);
    live_.emplace(session.get(), session);
  }
  void remove(Session* session) {
    std::function<void()> empty;
    {
      std::lock_guard lock(mu_);
      live_.erase(session);
      if (live_.empty()) empty = std::exchange(on_empty_, nullptr);
    }
    if (empty) empty();
  }
  // From now on draining() is true; `on_empty` is called once, when (or as soon as) no
  // connection is left, unless end_drain() comes first. Returns the live sessions.
  std::vector<std::shared_ptr<Session>> begin_drain(std::function<void()> on_empty) {
    std::vector<std::shared_ptr<Session>> sessions;
    bool nobody = false;
    {
      std::lock_guard lock(mu_);
      draining_ = true;
      for (const auto& entry : live_) {
        if (auto s = entry.second.lock()) sessions.push_back(std::move(s));
      }
      nobody = live_.empty();
      if (!nobody) on_empty_ = std::move(on_empty);
    }
    if (nobody) on_empty();
    return sessions;
  }
  void end_drain() {
    std::lock_guard lock(mu_);
    on_empty_ = nullptr;
  }
  bool draining() const { return draining_.load(std::memory_order_relaxed); }
  size_t size() const {
    std::lock_guard lock(mu_);
    return live_.size();
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<Session*, std::weak_ptr<Session>> live_;  // guarded by mu_
  std::function<void()> on_empty_;                             // guarded by mu_
  std::atomic<bool> draining_{false};                          // set under mu_
};

// What the transport records for every answered request, on the answering
// loop's thread: the request metrics (the handler's, shown by /metrics) and
// the access log, whose buffer is flushed by a task posted to that loop.
struct Telemetry {
  Telemetry(Handler& h, size_t loops, bool access_log) : handler(h), log(loops, access_log) {}
  void answered(size_t loop, const AccessRecord& r) {
    handler.request_metrics().record(route_of(r.target), r.status, r.cache, r.latency);
    if (log.append(loop, r)) asio::post(*contexts[loop], [this, loop] { log.flush(loop); });
  }
  Handler& handler;
  AccessLog log;
  std::vector<asio::io_context*> contexts;  // per loop index
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `loop`: the index of the event loop the session runs on; `metrics_only`:
  // a connection to the IMGFLO_METRICS_ADDR listener (GET /metrics, else 404).
  Session(tcp::socket&& socket, Handler& handler, const ServerOptions& options, Connections& connections,
          Telemetry& telemetry, size_t loop, bool metrics_only)
      : stream_(std::move(socket)),
        handler_(handler),
        options_(options),
        connections_(connections),
        telemetry_(telemetry),
        loop_(loop),
        metrics_only_(metrics_only) {}
  ~Session() { connections_.remove(this); }

  void start() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
  }

  // The drain began (posted to the session's thread): a connection waiting for a
  // request with nothing received is closed, at once when it was answered before
  // (an idle keep-alive), after kFirstRequestGrace when it is new.
  void on_drain() {
    if (!reading_ || received_some()) return;
    if (served_ > 0) return stop_reading();
    wait_for_first_request();
  }

  asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  void read() {
    if (served_ > 0 && connections_.draining()) return close();  // answered with keep-alive just before the drain
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(options_.read_timeout);
    reading_ = true;
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
    if (connections_.draining() && !received_some()) wait_for_first_request();  // accepted as the listener closed
  }

  bool received_some() const { return buffer_.size() > 0 || (parser_ && parser_->got_some()); }

  void wait_for_first_request() {
    grace_ = std::make_unique<asio::steady_timer>(stream_.get_executor(), kFirstRequestGrace);
    grace_->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->reading_ && !self->received_some()) self->stop_reading();
    });
  }

  // Ends the pending read (on_read sees operation_aborted and closes).
  void stop_reading() { stream_.cancel(); }

  void on_read(beast::error_code ec, size_t) {
    reading_ = false;
    if (grace_) grace_->cancel();
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted) {
      return close();
    }
    started_ = std::chrono::steady_clock::now();
    if (ec == bhttp::error::header_limit || ec == bhttp::error::body_limit) {
      return reply_error(431, "request too large");
    }
    if (ec) return reply_error(400, "malformed HTTP request");
    stream_.expires_never();  // the handler's own deadline governs the wait
    auto req = parser_->release();
    ++served_;
    head_ = req.method() == bhttp::verb::head;
    version_ = req.version();
    keep_alive_ = req.keep_alive() && !connections_.draining();  // no hot path while draining: it keeps alive
    const auto id = req.find("X-Request-Id");
    request_id_.assign(id == req.end() ? std::string_view() : std::string_view(id->value().data(), id->value().size()));
    if (write_hot(req)) return;
    HttpRequest request = to_request(req);
    request.request_id = request_id_.view();
    method_ = request.method;
    target_ = request.target;
    if (metrics_only_) return write(metrics_answer(request));
    auto self = shared_from_this();
    handler_.handle(request, [self](HttpResponse res) {
      asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    });
  }

  // The IMGFLO_METRICS_ADDR listener serves GET|HEAD /metrics and nothing else.
  HttpResponse metrics_answer(const HttpRequest& request) {
    if ((request.method == "GET" || request.method == "HEAD") && route_of(request.target) == Route::kMetrics) {
      return handler_.metrics();
    }
    return error_response(Error(ErrorKind::kNotFound, "this listener serves /metrics only"));
  }

  // The hot path: a GET answered recently with a cached 301 is answered with
  // the same prepared bytes, without going through the handler.
  bool write_hot(const bhttp::request<bhttp::string_body>& req) {
    if (metrics_only_ || req.method() != bhttp::verb::get || version_ != 11 || !keep_alive_) return false;
    const auto target = req.target();
    const auto accept = req[bhttp::field::accept];  // "" when absent; only negotiated entries read it
    const std::string_view target_text(target.data(), target.size());
    const auto origin = req[bhttp::field::origin];  // "" when absent; CORS with an origin list reads it
    auto bytes = handler_.hot_response(target_text, std::string_view(accept.data(), accept.size()),
                                       std::string_view(origin.data(), origin.size()));
    if (!bytes) return false;
    // Prepared answers are 301s without a body (HotResponses).
    telemetry_.answered(loop_, {"GET", target_text, 301, CacheOutcome::kHot, 0,
                                std::chrono::steady_clock::now() - started_, request_id_.view()});
    // The prepared bytes end with the empty line; the id goes before it, in the same write.
    hot_tail_.assign("X-Request-Id: ").append(request_id_.view()).append("\r\n\r\n");
    const std::array<asio::const_buffer, 2> buffers = {asio::buffer(bytes->data(), bytes->size() - 2),
                                                       asio::buffer(hot_tail_)};
    stream_.expires_after(options_.write_timeout);
    asio::async_write(stream_, buffers,
                      [self = shared_from_this(), bytes](beast::error_code ec, size_t n) { self->on_write(ec, n); });
    return true;
  }

  // A request that could not be parsed: logged with method and path "-" and a new id.
  void reply_error(int status, const char* message) {
    keep_alive_ = false;
    head_ = false;
    method_.clear();
    target_.clear();
    request_id_.assign({});
    write(HttpResponse::json(status, {{"error", message}, {"code", status}, {"type", "bad-request"}}));
  }

  void write(HttpResponse&& res) {
    if (connections_.draining()) keep_alive_ = false;  // "Connection: close", then close
    const uint64_t body_bytes = head_ ? 0 : res.body.size();
    telemetry_.answered(loop_, {method_, target_, res.status, res.cache, body_bytes,
                                std::chrono::steady_clock::now() - started_, request_id_.view()});
    response_ = to_beast(std::move(res), head_, version_, keep_alive_, request_id_.view());
    stream_.expires_after(options_.write_timeout);
    bhttp::async_write(stream_, response_, beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    if (ec || !keep_alive_) return close();
    read();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  Handler& handler_;
  const ServerOptions& options_;
  Connections& connections_;
  Telemetry& telemetry_;
  const size_t loop_;
  const bool metrics_only_;
  std::chrono::steady_clock::time_point started_;  // the current request's last byte read
  RequestId request_id_;
  std::string method_, target_;  // of the current request, for its access line
  std::string hot_tail_;         // the X-Request-Id header line of a hot-path answer
  std::unique_ptr<asio::steady_timer> grace_;  // kFirstRequestGrace during a drain
  bool head_ = false;
  bool keep_alive_ = true;
  bool reading_ = false;  // waiting for a request
  size_t served_ = 0;     // requests read on this connection
  unsigned version_ = 11;
};

}  // namespace

// One io_context per event-loop thread, each with its own acceptor on a
// duplicate of one listening socket: connections never migrate between
// threads, so sessions need no strand. The socket is bound once, without
// SO_REUSEPORT, so a second server on the same port fails to start instead of
// silently sharing its traffic. Timers, signals and the blocking pool live on
// the first context.
struct Loop {
  size_t index = 0;           // in HttpServer::Impl::loops (the access log's buffer)
  bool metrics_only = false;  // the IMGFLO_METRICS_ADDR listener's own loop (the last one)
  asio::io_context ioc{1};
  // run() returns only on stop(): a session waiting for its job holds no asio work.
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
  tcp::acceptor acceptor{ioc};
  asio::steady_timer retry{ioc};                 // accept back-off after an error
  std::chrono::milliseconds backoff{0};
};

// A descriptor held in reserve: when accept() fails for lack of descriptors
// (EMFILE/ENFILE), it is closed to accept and at once close the waiting
// connection (shedding it instead of leaving it to spin the loop), then
// re-opened. Shared by all loops.
class ReserveFd {
 public:
  ReserveFd() { open(); }
  ~ReserveFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  void shed(int listen_fd) {
    std::lock_guard lock(mu_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    const int conn = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (conn >= 0) ::close(conn);
    open();
  }

 private:
  void open() { fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC); }
  std::mutex mu_;
  int fd_ = -1;
};

constexpr std::chrono::milliseconds kAcceptBackoffMin{5};
constexpr std::chrono::milliseconds kAcceptBackoffMax{1000};

struct HttpServer::Impl {
  ServerOptions options;
  Connections connections;  // declared before the loops: sessions leave it as the loops are destroyed
  std::vector<std::unique_ptr<Loop>> loops;
  std::unique_ptr<asio::signal_set> signals;
  std::unique_ptr<AsioEventLoop> event_loop;
  std::unique_ptr<Handler> handler;
  std::unique_ptr<Telemetry> telemetry;
  ReserveFd reserve;
  std::atomic<size_t> open_acceptors{0};
  std::atomic<Clock::rep> drain_deadline{Clock::time_point::max().time_since_epoch().count()};
  // Loop 0's thread only.
  std::unique_ptr<asio::steady_timer> drain_timer;
  bool drain_begun = false, drain_over = false;
  Clock::time_point drain_start{};

  void start_session(Loop& loop, tcp::socket socket) {
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto session = std::make_shared<Session>(std::move(socket), *handler, options, connections, *telemetry,
                                             loop.index, loop.metrics_only);
    connections.add(session);
    session->start();
  }

  void accept(Loop& loop) {
    loop.acceptor.async_accept(loop.ioc, [this, &loop](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (loop.acceptor.is_open()) accept_failed(loop, ec);
        return;
      }
      loop.backoff = std::chrono::milliseconds(0);
      start_session(loop, std::move(socket));  // even when the listener closed meanwhile: the client is connected
      if (loop.acceptor.is_open()) accept(loop);
    });
  }

  // Errors that would repeat at once (no descriptors, no memory) must not
  // spin the loop: shed the waiting connection when out of descriptors, then
  // wait (5 ms doubling to 1 s) before accepting again.
  void accept_failed(Loop& loop, const beast::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;
    const bool no_fds = ec == asio::error::no_descriptors || ec.value() == ENFILE;
    if (no_fds) reserve.shed(loop.acceptor.native_handle());
    loop.backoff = std::clamp(loop.backoff * 2, kAcceptBackoffMin, kAcceptBackoffMax);
    if (loop.backoff == kAcceptBackoffMin || loop.backoff == kAcceptBackoffMax) {
      spdlog::warn("accept failed: {}; retrying in {} ms", ec.message(), loop.backoff.count());
    }
    loop.retry.expires_after(loop.backoff);
    loop.retry.async_wait([this, &loop](beast::error_code wait_ec) {
      if (!wait_ec && loop.acceptor.is_open()) accept(loop);
    });
  }

  // On the loop's own thread; the last acceptor closed closes the listening socket.
  void close_acceptor(Loop& loop) {
    beast::error_code ec;
    loop.retry.cancel();
    if (!loop.acceptor.is_open()) return;
    loop.acceptor.close(ec);
    if (open_acceptors.fetch_sub(1) == 1) spdlog::info("listener closed: new connections are refused");
  }

  // Loop 0's thread. A drop-all socket filter makes the kernel ignore new SYNs (clients
  // retry and then find the port closed, i.e. refused), the connections it had already
  // completed are taken and served, then every acceptor closes.
  void stop_accepting() {
    Loop& first = *loops.front();
    for (size_t i = 1; i < loops.size(); ++i) {
      asio::post(loops[i]->ioc, [this, l = loops[i].get()] { close_acceptor(*l); });
    }
    if (first.acceptor.is_open()) {
      const int fd = first.acceptor.native_handle();
      sock_filter drop_all[] = {{BPF_RET | BPF_K, 0, 0, 0}};
      sock_fprog program{1, drop_all};
      if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) {
        spdlog::debug("drain: no socket filter on the listener ({})", std::strerror(errno));
      }
      adopt_completed_connections(first);
    }
    close_acceptor(first);
  }

  void adopt_completed_connections(Loop& loop) {
    const int fd = loop.acceptor.native_handle();
    beast::error_code ec;
    const auto protocol = loop.acceptor.local_endpoint(ec).protocol();
    if (ec) return;
    for (;;) {
      pollfd ready{fd, POLLIN, 0};
      if (::poll(&ready, 1, 0) <= 0) return;
      const int conn = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (conn < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;  // EAGAIN: another loop took it; anything else: nothing more to take
      }
      tcp::socket socket(loop.ioc);
      socket.assign(protocol, conn, ec);
      if (ec) {
        ::close(conn);
        continue;
      }
      start_session(loop, std::move(socket));
    }
  }

  // Loop 0's thread.
  void begin_drain() {
    if (drain_begun) return;
    drain_begun = true;
    set_draining(true);
    drain_start = Clock::now();
    drain_deadline = (drain_start + options.drain_timeout).time_since_epoch().count();
    stop_accepting();
    drain_timer = std::make_unique<asio::steady_timer>(loops.front()->ioc, options.drain_timeout);
    drain_timer->async_wait([this](beast::error_code ec) {
      if (!ec) end_drain(false);
    });
    auto sessions = connections.begin_drain([this] { asio::post(loops.front()->ioc, [this] { end_drain(true); }); });
    spdlog::info("draining: answering {} open connections (drain timeout {} s)", sessions.size(),
                 std::chrono::duration<double>(options.drain_timeout).count());
    for (auto& session : sessions) asio::post(session->executor(), [session] { session->on_drain(); });
  }

  // Loop 0's thread: every connection answered (`answered`), or the drain timeout passed.
  void end_drain(bool answered) {
    if (drain_over) return;
    drain_over = true;
    connections.end_drain();
    drain_timer->cancel();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - drain_start).count();
    if (answered) {
      spdlog::info("drained: every connection answered and closed in {} ms", ms);
    } else {
      spdlog::warn("drain timeout after {} ms: {} connections still open are dropped", ms, connections.size());
    }
    stop_loops();
  }

  void stop_loops() {
    for (auto& loop : loops) {
      asio::post(loop->ioc, [this, l = loop.get()] {
        close_acceptor(*l);
        if (l == loops.front().get()) signals->cancel();
        l->ioc.stop();
      });
    }
  }

  static Status listen_error(const tcp::endpoint& endpoint, const beast::error_code& ec) {
    return Error(ErrorKind::kUnavailable, "cannot listen on " + endpoint.address().to_string() + ":" +
                                              std::to_string(endpoint.port()) + ": " + ec.message());
  }

  static void open_listening(tcp::acceptor& acceptor, const tcp::endpoint& endpoint, beast::error_code& ec) {
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);  // TIME_WAIT only
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }

  // The IMGFLO_METRICS_ADDR listener, on the last loop (after listen()).
  Status listen_metrics(const tcp::endpoint& endpoint) {
    beast::error_code ec;
    open_listening(loops.back()->acceptor, endpoint, ec);
    return ec ? listen_error(endpoint, ec) : ok_status();
  }

  Status listen(const tcp::endpoint& endpoint) {
    Loop& first = *loops.front();
    beast::error_code ec;
    open_listening(first.acceptor, endpoint, ec);
    for (size_t i = 1; i < loops.size() && !ec; ++i) {
      if (loops[i]->metrics_only) continue;
      const int fd = ::fcntl(first.acceptor.native_handle(), F_DUPFD_CLOEXEC, 0);
      if (fd < 0) {
        ec = beast::error_code(errno, boost::system::system_category());
        break;
      }
      loops[i]->acceptor.assign(endpoint.protocol(), fd, ec);
      if (ec) ::close(fd);
    }
    if (ec) return listen_error(endpoint, ec);
    open_acceptors = loops.size();  // the metrics listener's too
    return ok_status();
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::create(
    const ServerOptions& options, const std::function<std::unique_ptr<Handler>(EventLoop&)>& make_handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  for (int i = 0; i < std::max(1, options.threads); ++i) impl->loops.push_back(std::make_unique<Loop>());
  if (!options.metrics_address.empty()) {
    impl->loops.push_back(std::make_unique<Loop>());
    impl->loops.back()->metrics_only = true;
  }
  asio::io_context& main = impl->loops.front()->ioc;
  impl->signals = std::make_unique<asio::signal_set>(main, SIGINT, SIGTERM);
  impl->event_loop = std::make_unique<AsioEventLoop>(main, options.blocking_threads);
  impl->handler = make_handler(*impl->event_loop);
  impl->telemetry = std::make_unique<Telemetry>(*impl->handler, impl->loops.size(), options.access_log);
  for (size_t i = 0; i < impl->loops.size(); ++i) {
    impl->loops[i]->index = i;
    impl->telemetry->contexts.push_back(&impl->loops[i]->ioc);
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.address, ec);
  if (ec) return Error(ErrorKind::kInvalidArgument, "invalid listen address " + options.address);
  if (Status st = impl->listen(tcp::endpoint(address, options.port)); !st.ok()) return st.take_error();
  if (!options.metrics_address.empty()) {
    const auto metrics = asio::ip::make_address(options.metrics_address, ec);
    if (ec) return Error(ErrorKind::kInvalidArgument, "invalid metrics address " + options.metrics_address);
    if (Status st = impl->listen_metrics(tcp::endpoint(metrics, options.metrics_port)); !st.ok()) {
      return st.take_error();
    }
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->loops.front()->acceptor.local_endpoint().port(); }

uint16_t HttpServer::metrics_port() const {
  const Loop& last = *impl_->loops.back();
  return last.metrics_only ? last.acceptor.local_endpoint().port() : 0;
}

void HttpServer::run() {
  impl_->signals->async_wait([this](beast::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {} received: draining (a second signal exits at once)", sig);
    beast::error_code ignored;
    impl_->signals->clear(ignored);
    exit_at_once_on_stop_signal();
    impl_->begin_drain();
  });
  for (auto& loop : impl_->loops) impl_->accept(*loop);
  // A handler that throws drops its connection; the loop goes on (run() returns normally on stop()).
  auto run_loop = [this](size_t i) { run_until_return("HTTP event loop", [&] { impl_->loops[i]->ioc.run(); }); };
  std::vector<std::thread> extra;
  for (size_t i = 1; i < impl_->loops.size(); ++i) extra.emplace_back(run_loop, i);
  run_loop(0);
  for (auto& t : extra) t.join();
  impl_->telemetry->log.flush_all();  // lines whose flush was still queued
}

void HttpServer::drain() {
  asio::post(impl_->loops.front()->ioc, [this] { impl_->begin_drain(); });
}

void HttpServer::stop() { impl_->stop_loops(); }

Clock::time_point HttpServer::drain_deadline() const {
  return Clock::time_point(Clock::duration(impl_->drain_deadline.load()));
}

}  // namespace imgflo::http
