#include "http/server.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
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
    auto self = shared_from_this();
    handler_.handle(to_request(req), [self](HttpResponse res) {
      asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    });
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

struct HttpServer::Impl {
  ServerOptions options;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  std::unique_ptr<AsioEventLoop> loop;
  std::unique_ptr<Handler> handler;

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (!acceptor.is_open()) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(socket), *handler, options)->start();
      }
      accept();
    });
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::create(
    const ServerOptions& options, const std::function<std::unique_ptr<Handler>(EventLoop&)>& make_handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->loop = std::make_unique<AsioEventLoop>(impl->ioc, options.blocking_threads);
  impl->handler = make_handler(*impl->loop);
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.address, ec);
  if (ec) return Error(ErrorKind::kInvalidArgument, "invalid listen address " + options.address);
  const tcp::endpoint endpoint(address, options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error(ErrorKind::kUnavailable, "cannot listen on " + options.address + ":" +
                                              std::to_string(options.port) + ": " + ec.message());
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::run() {
  impl_->signals.async_wait([this](beast::error_code, int sig) {
    spdlog::info("signal {} received, stopping", sig);
    stop();
  });
  impl_->accept();
  std::vector<std::thread> extra;
  for (int i = 1; i < impl_->options.threads; ++i) extra.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : extra) t.join();
}

void HttpServer::stop() {
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->signals.cancel();
    impl_->ioc.stop();
  });
}

}  // namespace imgflo::http
