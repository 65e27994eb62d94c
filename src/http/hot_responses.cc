#include "http/hot_responses.h"

#include <functional>

namespace imgflo::http {

namespace {

// The target, copied into a per-thread buffer (no allocation once warm).
const std::string& make_key(std::string_view target) {
  thread_local std::string key;
  key.assign(target);
  return key;
}

}  // namespace

HotResponses::HotResponses(std::chrono::milliseconds ttl, size_t capacity, const ClockSource& clock)
    : ttl_(ttl), shard_capacity_(std::max<size_t>(1, capacity / kShards)), clock_(clock) {}

HotResponses::Shard& HotResponses::shard_for(const std::string& key) const {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

std::shared_ptr<const std::string> HotResponses::find(std::string_view target) const {
  const std::string& key = make_key(target);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end()) return nullptr;
  if (clock_.now() >= it->second.expires) {
    shard.entries.erase(it);
    return nullptr;
  }
  return it->second.bytes;
}

void HotResponses::remember(std::string_view target, const std::string& location) {
  auto bytes = std::make_shared<const std::string>("HTTP/1.1 301 Moved Permanently\r\nServer: imgflo-server\r\nLocation: " +
                                                   location + "\r\nContent-Length: 0\r\n\r\n");
  const std::string& key = make_key(target);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  if (shard.entries.size() >= shard_capacity_) shard.entries.clear();
  shard.entries[key] = Entry{std::move(bytes), clock_.now() + ttl_};
}

}  // namespace imgflo::http
