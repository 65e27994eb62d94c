#include "cache/redis_cache_index.h"

#include <utility>

namespace imgflo::cache {

namespace {

Error unexpected(const std::string& what, const RedisReply& reply) {
  const std::string detail = reply.is_error() ? reply.str : "unexpected reply type";
  return Error(ErrorKind::kUnavailable, "Redis cache index: " + what + " failed: " + detail);
}

}  // namespace

RedisCacheIndex::RedisCacheIndex(std::shared_ptr<RedisClient> client, Options options)
    : client_(std::move(client)), options_(std::move(options)) {}

void RedisCacheIndex::get(const std::string& key, LookupCallback done) {
  client_->submit({"GET", redis_key(key)}, [done = std::move(done)](Result<RedisReply> r) {
    if (!r.ok()) return done(r.take_error());
    switch (r->type) {
      case RedisReply::Type::kNil: return done(std::optional<std::string>());
      case RedisReply::Type::kString: return done(std::optional<std::string>(std::move(r->str)));
      default: return done(unexpected("GET", *r));
    }
  });
}

Status RedisCacheIndex::put(const std::string& key, const std::string& url) {
  auto r = client_->call({"SET", redis_key(key), url, "EX", std::to_string(options_.ttl.count())});
  if (!r.ok()) return r.take_error();
  if (r->type != RedisReply::Type::kStatus) return unexpected("SET", *r);
  return ok_status();
}

}  // namespace imgflo::cache
