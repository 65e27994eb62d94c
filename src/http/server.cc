#include "http/server.h"

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

#include <thread>
#include <vector>

namespace imgflo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr size_t kBodyLimit = 64 * 1024;

class AsioEventLoop final : public EventLoop {
 public:
  AsioEventLoop(asio::io_context& ioc, int blocking_threads)
      : ioc_(ioc), blocking_(static_cast<size_t>(std::max(1, blocking_threads))) {}
  ~AsioEventLoop() override { blocking_.join(); }

  std::function<void()> after(Clock::duration delay, std::function<void()> fn) override {
    auto strand = asio::make_strand(ioc_);
    auto timer = std::make_shared<asio::steady_timer>(strand, delay);
    timer->async_wait([timer, fn = std::move(fn)](beast::error_code ec) {
      if (!ec) fn();
    });
    return [timer, strand] { asio::post(strand, [timer] { timer->cancel(); }); };
  }

  void post_blocking(std::function<void()> fn) override { asio::post(blocking_, std::move(fn)); }

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
  return r;
}

bhttp::response<bhttp::string_body> to_beast(HttpResponse&& res, bool head, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
  out.set(bhttp::field::server, "imgflo-server");
  for (auto& [name, value] : res.headers) out.set(name, value);
  out.keep_alive(keep_alive);
  const size_t length = res.body.size();
  if (!head) out.body() = std::move(res.body);
  out.content_length(length);  // HEAD: the length of the body a GET would carry
  return out;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Handler& handler, const ServerOptions& options)
      : stream_(std::move(socket)), handler_(handler), options_(options) {}

  void start() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(options_.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::connection_reset) {
      return close();
    }
    if (ec == bhttp::error::header_limit || ec == bhttp::error::body_limit) {
      return reply_error(431, "request too large");
    }
    if (ec) return reply_error(400, "malformed HTTP request");
    stream_.expires_never();  // the handler's own deadline governs the wait
    auto req = parser_->release();
    head_ = req.method() == bhttp::verb::head;
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    if (write_hot(req)) return;
    auto self = shared_from_this();
    handler_.handle(to_request(req), [self](HttpResponse res) {
      asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    });
  }

  // The hot path: a GET answered recently with a cached 301 is answered with
  // the same prepared bytes, without going through the handler.
  bool write_hot(const bhttp::request<bhttp::string_body>& req) {
    if (req.method() != bhttp::verb::get || version_ != 11 || !keep_alive_) return false;
    auto host = req.find(bhttp::field::host);
    const auto target = req.target();
    const std::string_view host_value =
        host == req.end() ? std::string_view() : std::string_view(host->value().data(), host->value().size());
    auto bytes = handler_.hot_response(host_value, std::string_view(target.data(), target.size()));
    if (!bytes) return false;
    stream_.expires_after(options_.write_timeout);
    asio::async_write(stream_, asio::buffer(*bytes),
                      [self = shared_from_this(), bytes](beast::error_code ec, size_t n) { self->on_write(ec, n); });
    return true;
  }

  void reply_error(int status, const char* message) {
    keep_alive_ = false;
    write(HttpResponse::json(status, {{"error", message}, {"code", status}, {"type", "bad-request"}}));
  }

  void write(HttpResponse&& res) {
    response_ = to_beast(std::move(res), head_, version_, keep_alive_);
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
  bool head_ = false;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

}  // namespace

// One io_context per event-loop thread, each with its own acceptor on the
// same port (SO_REUSEPORT when there are several): connections never migrate
// between threads, so sessions need no strand. Timers, signals and the
// blocking pool live on the first context.
struct Loop {
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
};

struct HttpServer::Impl {
  ServerOptions options;
  std::vector<std::unique_ptr<Loop>> loops;
  std::unique_ptr<asio::signal_set> signals;
  std::unique_ptr<AsioEventLoop> event_loop;
  std::unique_ptr<Handler> handler;

  void accept(Loop& loop) {
    loop.acceptor.async_accept(loop.ioc, [this, &loop](beast::error_code ec, tcp::socket socket) {
      if (!loop.acceptor.is_open()) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(socket), *handler, options)->start();
      }
      accept(loop);
    });
  }

  Status listen(Loop& loop, const tcp::endpoint& endpoint, bool reuse_port) {
    beast::error_code ec;
    loop.acceptor.open(endpoint.protocol(), ec);
    if (!ec) loop.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && reuse_port) {
      loop.acceptor.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
    }
    if (!ec) loop.acceptor.bind(endpoint, ec);
    if (!ec) loop.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Error(ErrorKind::kUnavailable, "cannot listen on " + endpoint.address().to_string() + ":" +
                                                std::to_string(endpoint.port()) + ": " + ec.message());
    }
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
  asio::io_context& main = impl->loops.front()->ioc;
  impl->signals = std::make_unique<asio::signal_set>(main, SIGINT, SIGTERM);
  impl->event_loop = std::make_unique<AsioEventLoop>(main, options.blocking_threads);
  impl->handler = make_handler(*impl->event_loop);
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.address, ec);
  if (ec) return Error(ErrorKind::kInvalidArgument, "invalid listen address " + options.address);
  tcp::endpoint endpoint(address, options.port);
  const bool reuse_port = impl->loops.size() > 1;
  for (auto& loop : impl->loops) {
    if (Status st = impl->listen(*loop, endpoint, reuse_port); !st.ok()) return st.take_error();
    endpoint.port(loop->acceptor.local_endpoint().port());  // port 0: the others join the first one's port
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->loops.front()->acceptor.local_endpoint().port(); }

void HttpServer::run() {
  impl_->signals->async_wait([this](beast::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {} received, stopping", sig);
    stop();
  });
  for (auto& loop : impl_->loops) impl_->accept(*loop);
  std::vector<std::thread> extra;
  for (size_t i = 1; i < impl_->loops.size(); ++i) extra.emplace_back([this, i] { impl_->loops[i]->ioc.run(); });
  impl_->loops.front()->ioc.run();
  for (auto& t : extra) t.join();
}

void HttpServer::stop() {
  for (auto& loop : impl_->loops) {
    asio::post(loop->ioc, [this, l = loop.get()] {
      beast::error_code ec;
      l->acceptor.close(ec);
      if (l == impl_->loops.front().get()) impl_->signals->cancel();
      l->ioc.stop();
    });
  }
}
}  // namespace imgflo::http
