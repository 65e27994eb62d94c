#include "cache/redis_quota_counter.h"

#include <random>
#include <utility>

namespace imgflo::cache {

namespace {

// KEYS[1] the app's hash: minute -> count, plus "total" (the sum of the minutes kept) and "oldest"
// (no minute before it is kept), so a consume touches only the minutes that left the window since the
// last one (amortised O(1); a scan of the 1440 fields costs Redis ~2 ms). KEYS[2] this request's answer.
// ARGV[1] now (Unix s), ARGV[2] limit, ARGV[3] window (minutes), ARGV[4] hash ttl s, ARGV[5] answer ttl s.
// -> {allowed 0|1, used, retry_after s}
constexpr const char* kQuotaConsumeScript = R"lua(
local kept = redis.call('GET', KEYS[2])
if kept then
  local a, u, r = string.match(kept, '^(%d+) (%d+) (%d+)$')
  return {tonumber(a), tonumber(u), tonumber(r)}
end
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[3])
local minute = math.floor(now / 60)
local first = minute - window + 1
local total = tonumber(redis.call('HGET', KEYS[1], 'total')) or 0
local oldest = tonumber(redis.call('HGET', KEYS[1], 'oldest')) or minute
if total <= 0 or oldest < first - window or oldest > minute then
  redis.call('DEL', KEYS[1])
  total, oldest = 0, minute
end
while total > 0 and oldest < minute do
  local c = tonumber(redis.call('HGET', KEYS[1], oldest))
  if c and oldest >= first then break end
  if c then
    total = total - c
    redis.call('HDEL', KEYS[1], oldest)
  end
  oldest = oldest + 1
end
if total <= 0 then total, oldest = 0, minute end
local answer
if total < tonumber(ARGV[2]) then
  redis.call('HINCRBY', KEYS[1], string.format('%d', minute), 1)
  total = total + 1
  redis.call('HSET', KEYS[1], 'total', total, 'oldest', string.format('%d', oldest))
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  answer = {1, total, 0}
else
  redis.call('HSET', KEYS[1], 'total', total, 'oldest', string.format('%d', oldest))
  answer = {0, total, math.max(1, (oldest + window) * 60 - now)}
end
redis.call('SET', KEYS[2], string.format('%d %d %d', answer[1], answer[2], answer[3]), 'EX', ARGV[5])
return answer
)lua";

constexpr int64_t kHashTtlSeconds = 25 * 3600;  // the window and an hour
constexpr int64_t kAnswerTtlSeconds = 120;      // longer than any re-send (RedisClient's timeouts)

int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string random_id_base() {
  std::random_device rd;
  const uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return std::to_string(v);
}

Error quota_bad_reply(const RedisReply& r) {
  return Error(ErrorKind::kUnavailable,
               "Redis quota counter: consume failed: " + (r.is_error() ? r.str : std::string("unexpected reply")));
}

}  // namespace

RedisQuotaCounter::RedisQuotaCounter(std::shared_ptr<RedisClient> client, Options options)
    : client_(std::move(client)), options_(std::move(options)), id_base_(random_id_base()) {}

std::string RedisQuotaCounter::next_request_id() { return id_base_ + "-" + std::to_string(requests_++); }

void RedisQuotaCounter::consume(const std::string& app, int64_t limit, QuotaCallback done) {
  consume_once(app, limit, next_request_id(), std::move(done));
}

void RedisQuotaCounter::TEST_consume(const std::string& app, int64_t limit, const std::string& request_id,
                                     QuotaCallback done) {
  consume_once(app, limit, request_id, std::move(done));
}

void RedisQuotaCounter::consume_once(const std::string& app, int64_t limit, const std::string& request_id,
                                     QuotaCallback done) {
  const int64_t now = options_.now ? options_.now() : unix_seconds_now();
  RedisCommand cmd{"EVAL",
                   kQuotaConsumeScript,
                   "2",
                   redis_key(app),
                   options_.prefix + "quota-request/" + request_id,
                   std::to_string(now),
                   std::to_string(limit),
                   std::to_string(kWindowMinutes),
                   std::to_string(kHashTtlSeconds),
                   std::to_string(kAnswerTtlSeconds)};
  client_->submit(std::move(cmd), [done = std::move(done)](Result<RedisReply> r) {
    if (!r.ok()) return done(r.take_error());
    const auto& e = r->elements;
    if (r->type != RedisReply::Type::kArray || e.size() != 3) return done(quota_bad_reply(*r));
    for (const auto& v : e) {
      if (v.type != RedisReply::Type::kInteger) return done(quota_bad_reply(*r));
    }
    done(QuotaDecision{e[0].integer == 1, std::chrono::seconds(e[2].integer), e[1].integer});
  });
}

}  // namespace imgflo::cache
