#include "cache/redis_connection.h"

#include <hiredis/hiredis.h>

#include <cerrno>
#include <sys/time.h>

namespace imgflo::cache {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

RedisReply convert(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_STRING: out.type = RedisReply::Type::kString; break;
    case REDIS_REPLY_STATUS: out.type = RedisReply::Type::kStatus; break;
    case REDIS_REPLY_ERROR: out.type = RedisReply::Type::kError; break;
    case REDIS_REPLY_INTEGER: out.type = RedisReply::Type::kInteger; break;
    case REDIS_REPLY_ARRAY: out.type = RedisReply::Type::kArray; break;
    default: out.type = RedisReply::Type::kNil; break;
  }
  if (r.str != nullptr) out.str.assign(r.str, r.len);
  out.integer = r.integer;
  out.elements.reserve(r.elements);
  for (size_t i = 0; i < r.elements; ++i) out.elements.push_back(convert(*r.element[i]));
  return out;
}

bool has_prefix(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

RedisConnection::~RedisConnection() { close(); }

void RedisConnection::close() {
  if (ctx_ != nullptr) redisFree(ctx_);
  ctx_ = nullptr;
}

Error RedisConnection::io_error(const std::string& step) {
  // hiredis reports a socket timeout as EAGAIN ("Resource temporarily unavailable").
  timed_out_ = ctx_ != nullptr && ctx_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
  std::string cause = ctx_ == nullptr ? "out of memory" : ctx_->errstr;
  if (timed_out_) cause = "no reply within " + std::to_string(timeout_ms_) + " ms";
  if (cause.empty()) cause = "connection lost";
  close();
  return Error(ErrorKind::kUnavailable, "Redis at " + where_ + " unavailable: " + step + ": " + cause);
}

Status RedisConnection::open(const RedisClientOptions& options) {
  close();
  const RedisEndpoint& ep = options.endpoint;
  where_ = ep.describe();
  timeout_ms_ = static_cast<long>(options.connect_timeout.count());
  timed_out_ = false;
  ctx_ = redisConnectWithTimeout(ep.host.c_str(), ep.port, to_timeval(options.connect_timeout));
  if (ctx_ == nullptr || ctx_->err != 0) return io_error("connect");
  // The handshake replies are bounded by the connect timeout, later ones by the command timeout.
  if (redisSetTimeout(ctx_, to_timeval(options.connect_timeout)) != REDIS_OK) return io_error("set timeout");
  redisEnableKeepAlive(ctx_);
  if (Status st = handshake(options); !st.ok()) {
    close();
    return st;
  }
  timeout_ms_ = static_cast<long>(options.command_timeout.count());
  if (redisSetTimeout(ctx_, to_timeval(options.command_timeout)) != REDIS_OK) return io_error("set timeout");
  return ok_status();
}

Error RedisConnection::refused(const std::string& step, const std::string& reply) const {
  if (has_prefix(reply, "NOAUTH")) {
    return Error(ErrorKind::kUnavailable,
                 "Redis at " + where_ + " requires a password: put it in the URL as redis://:PASSWORD@host:port");
  }
  return Error(ErrorKind::kUnavailable, "Redis at " + where_ + ": " + step + " refused: " + reply);
}

Status RedisConnection::handshake(const RedisClientOptions& options) {
  const RedisEndpoint& ep = options.endpoint;
  if (!ep.password.empty()) {
    if (Status st = authenticate(ep); !st.ok()) return st;
  }
  if (ep.db != 0) {
    auto r = command({"SELECT", std::to_string(ep.db)});
    if (!r.ok()) return r.take_error();
    if (r->is_error()) return refused("SELECT " + std::to_string(ep.db), r->str);
  }
  auto pong = command({"PING"});
  if (!pong.ok()) return pong.take_error();
  if (pong->is_error()) return refused("PING", pong->str);
  return ok_status();
}

Status RedisConnection::authenticate(const RedisEndpoint& ep) {
  Result<RedisReply> r = ep.user.empty() ? command({"AUTH", ep.password}) : command({"AUTH", ep.user, ep.password});
  if (!r.ok()) return r.take_error();
  if (r->is_error() && !ep.user.empty()) {
    // Hosted Redis URLs often carry a dummy user name; the original sent only the password.
    auto legacy = command({"AUTH", ep.password});
    if (!legacy.ok()) return legacy.take_error();
    if (!legacy->is_error()) return ok_status();
  }
  if (r->is_error()) {
    return Error(ErrorKind::kUnavailable,
                 "Redis at " + where_ + ": authentication failed (check the password in the URL): " + r->str);
  }
  return ok_status();
}

void RedisConnection::append(const RedisCommand& argv) {
  if (ctx_ == nullptr) return;
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data());
}

Result<RedisReply> RedisConnection::read() {
  if (ctx_ == nullptr) return Error(ErrorKind::kUnavailable, "Redis at " + where_ + " unavailable: not connected");
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return io_error("command");
  std::unique_ptr<redisReply, void (*)(void*)> reply(static_cast<redisReply*>(raw), freeReplyObject);
  return convert(*reply);
}

Result<RedisReply> RedisConnection::command(const RedisCommand& argv) {
  append(argv);
  return read();
}

}  // namespace imgflo::cache
