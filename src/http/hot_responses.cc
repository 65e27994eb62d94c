#include "http/hot_responses.h"

#include "http/redirect.h"

#include <algorithm>
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

bool HotResponses::observe(uint64_t generation) const {
  uint64_t seen = generation_.load(std::memory_order_relaxed);
  while (seen != generation) {
    if (generation < seen) return false;
    if (generation_.compare_exchange_weak(seen, generation, std::memory_order_relaxed)) {
      clear();
      return true;
    }
  }
  return true;
}

void HotResponses::clear() const {
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    shard.entries.clear();
  }
}

std::shared_ptr<const std::string> HotResponses::find(std::string_view target, std::string_view accept,
                                                      uint64_t generation) const {
  if (!observe(generation)) return nullptr;
  const std::string& key = make_key(target);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end()) return nullptr;
  const Entry& entry = it->second;
  if (entry.generation != generation || clock_.now() >= entry.expires) {
    shard.entries.erase(it);
    return nullptr;
  }
  if (!entry.policy) return entry.bytes;
  const std::string_view type = request::negotiate(accept, *entry.policy);
  for (const auto& v : entry.variants) {
    if (v.type == type) return v.bytes;
  }
  return nullptr;
}

HotResponses::Entry& HotResponses::live_entry(Shard& shard, const std::string& key, const Validity& validity) {
  const Clock::time_point now = clock_.now();
  auto it = shard.entries.find(key);
  if (it != shard.entries.end() && now < it->second.expires && it->second.generation == validity.generation) {
    return it->second;
  }
  if (it == shard.entries.end() && shard.entries.size() >= shard_capacity_) shard.entries.clear();
  Entry& entry = shard.entries[key];
  entry = Entry{nullptr, nullptr, {}, std::min(now + ttl_, validity.until), validity.generation};
  return entry;
}

void HotResponses::remember(std::string_view target, const HttpResponse& redirect, Validity validity) {
  if (!observe(validity.generation) || clock_.now() >= validity.until) return;
  auto bytes = std::make_shared<const std::string>(serialize_redirect(redirect));
  const std::string& key = make_key(target);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  Entry& entry = live_entry(shard, key, validity);
  entry.bytes = std::move(bytes);
  entry.expires = std::min(clock_.now() + ttl_, validity.until);
}

void HotResponses::remember(std::string_view target, std::shared_ptr<const request::Negotiation> policy,
                            std::string_view type, const HttpResponse& redirect, Validity validity) {
  if (!observe(validity.generation) || clock_.now() >= validity.until) return;
  auto bytes = std::make_shared<const std::string>(serialize_redirect(redirect));
  const std::string& key = make_key(target);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  Entry& entry = live_entry(shard, key, validity);
  entry.policy = std::move(policy);
  for (auto& v : entry.variants) {
    if (v.type == type) {
      v.bytes = std::move(bytes);
      return;
    }
  }
  entry.variants.push_back({std::string(type), std::move(bytes)});
}

}  // namespace imgflo::http
