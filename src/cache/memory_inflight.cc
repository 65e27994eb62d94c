#include "cache/memory_inflight.h"

#include <utility>

namespace imgflo::cache {

namespace {
constexpr uint64_t kPruneEvery = 1024;
}  // namespace

MemoryInflight::MemoryInflight(Options options, const ClockSource& clock)
    : options_(options),
      clock_(clock),
      watchers_([this](const std::vector<std::string>& keys) { return probe(keys); }, options_.poll_interval) {}

MemoryInflight::Entry* MemoryInflight::live(Table& table, const std::string& key, Clock::time_point now) {
  auto it = table.find(key);
  if (it == table.end()) return nullptr;
  if (it->second.expires <= now) {
    table.erase(it);
    return nullptr;
  }
  return &it->second;
}

void MemoryInflight::maybe_prune(Clock::time_point now) {
  if (++writes_ % kPruneEvery != 0) return;
  for (Table* table : {&markers_, &done_}) {
    std::erase_if(*table, [now](const auto& kv) { return kv.second.expires <= now; });
  }
}

void MemoryInflight::try_claim(const std::string& key, const std::string& owner, std::chrono::milliseconds ttl,
                               ClaimCallback done) {
  Claim claim;
  {
    std::lock_guard lock(mu_);
    const auto now = clock_.now();
    Entry* marker = live(markers_, key, now);
    claim.claimed = marker == nullptr || marker->value == owner;
    if (claim.claimed) {
      markers_[key] = Entry{owner, now + ttl};
      done_.erase(key);
      maybe_prune(now);
    }
    claim.owner = claim.claimed ? owner : marker->value;
  }
  done(std::move(claim));
}

void MemoryInflight::release(const std::string& key, const std::string& owner, const std::string& message,
                             BoolCallback done) {
  bool ours = false;
  {
    std::lock_guard lock(mu_);
    const auto now = clock_.now();
    Entry* marker = live(markers_, key, now);
    ours = marker != nullptr && marker->value == owner;
    if (marker == nullptr || ours) {
      markers_.erase(key);
      done_[key] = Entry{message, now + options_.done_ttl};
      maybe_prune(now);
    }
  }
  done(ours);
}

uint64_t MemoryInflight::watch(const std::string& key, EndCallback done) { return watchers_.add(key, std::move(done)); }

void MemoryInflight::unwatch(uint64_t id) { watchers_.remove(id); }

Result<std::vector<std::optional<InflightEnd>>> MemoryInflight::probe(const std::vector<std::string>& keys) {
  std::vector<std::optional<InflightEnd>> out;
  std::lock_guard lock(mu_);
  const auto now = clock_.now();
  for (const auto& key : keys) {
    if (live(markers_, key, now) != nullptr) out.emplace_back(std::nullopt);
    else if (Entry* d = live(done_, key, now)) out.emplace_back(InflightEnd{InflightEnd::How::kReleased, d->value});
    else out.emplace_back(InflightEnd{InflightEnd::How::kAbandoned, ""});
  }
  return out;
}

}  // namespace imgflo::cache
