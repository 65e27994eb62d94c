#include "cache/redis_inflight.h"

#include <algorithm>
#include <utility>

namespace imgflo::cache {

namespace {

// KEYS[1] marker, KEYS[2] done record; ARGV[1] owner, ARGV[2] ttl ms. -> {claimed 0|1, owner}
constexpr const char* kClaim = R"lua(
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  redis.call('DEL', KEYS[2])
  return {1, ARGV[1]}
end
return {0, cur}
)lua";

// KEYS[1] marker, KEYS[2] done record; ARGV[1] owner, ARGV[2] message, ARGV[3] done ttl ms.
// -> 1 if the claim was ours; 0 otherwise. The message is recorded unless another owner holds the key.
constexpr const char* kRelease = R"lua(
local cur = redis.call('GET', KEYS[1])
if cur ~= false and cur ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if cur == false then return 0 end
return 1
)lua";

constexpr size_t kProbeChunk = 256;  // keys per MGET

Error bad_reply(const char* what, const RedisReply& r) {
  return Error(ErrorKind::kUnavailable, std::string("Redis in-flight ") + what + " failed: " +
                                            (r.is_error() ? r.str : std::string("unexpected reply")));
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(std::max<long long>(1, d.count())); }

}  // namespace

RedisInflight::RedisInflight(std::shared_ptr<RedisClient> client, Options options)
    : client_(std::move(client)),
      options_(std::move(options)),
      watchers_([this](const std::vector<std::string>& keys) { return probe(keys); }, options_.poll_interval) {}

void RedisInflight::try_claim(const std::string& key, const std::string& owner, std::chrono::milliseconds ttl,
                              ClaimCallback done) {
  RedisCommand cmd{"EVAL", kClaim, "2", marker_key(key), done_key(key), owner, ms(ttl)};
  client_->submit(std::move(cmd), [done = std::move(done)](Result<RedisReply> r) {
    if (!r.ok()) return done(r.take_error());
    const auto& e = r->elements;
    if (r->type != RedisReply::Type::kArray || e.size() != 2) return done(bad_reply("claim", *r));
    done(Claim{e[0].integer == 1, e[1].str});
  });
}

void RedisInflight::eval_bool(const char* script, RedisCommand args, BoolCallback done) {
  RedisCommand cmd{"EVAL", script};
  cmd.insert(cmd.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
  client_->submit(std::move(cmd), [done = std::move(done)](Result<RedisReply> r) {
    if (!r.ok()) return done(r.take_error());
    if (r->type != RedisReply::Type::kInteger) return done(bad_reply("script", *r));
    done(r->integer == 1);
  });
}

void RedisInflight::release(const std::string& key, const std::string& owner, const std::string& message,
                            BoolCallback done) {
  eval_bool(kRelease, {"2", marker_key(key), done_key(key), owner, message, ms(options_.done_ttl)},
            std::move(done));
}

uint64_t RedisInflight::watch(const std::string& key, EndCallback done) { return watchers_.add(key, std::move(done)); }

void RedisInflight::unwatch(uint64_t id) { watchers_.remove(id); }

Result<std::vector<std::optional<InflightEnd>>> RedisInflight::probe(const std::vector<std::string>& keys) {
  std::vector<std::optional<InflightEnd>> out;
  out.reserve(keys.size());
  for (size_t start = 0; start < keys.size(); start += kProbeChunk) {
    const size_t end = std::min(keys.size(), start + kProbeChunk);
    RedisCommand cmd{"MGET"};
    for (size_t i = start; i < end; ++i) {
      cmd.push_back(marker_key(keys[i]));
      cmd.push_back(done_key(keys[i]));
    }
    auto r = client_->call(std::move(cmd));
    if (!r.ok()) return r.take_error();
    if (r->type != RedisReply::Type::kArray || r->elements.size() != 2 * (end - start)) return bad_reply("poll", *r);
    for (size_t i = 0; i < end - start; ++i) {
      const RedisReply& marker = r->elements[2 * i];
      const RedisReply& message = r->elements[2 * i + 1];
      if (marker.type != RedisReply::Type::kNil) out.emplace_back(std::nullopt);
      else if (message.type == RedisReply::Type::kNil) out.emplace_back(InflightEnd{InflightEnd::How::kAbandoned, ""});
      else out.emplace_back(InflightEnd{InflightEnd::How::kReleased, message.str});
    }
  }
  return out;
}

}  // namespace imgflo::cache
