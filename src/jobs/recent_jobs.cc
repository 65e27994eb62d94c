#include "jobs/recent_jobs.h"

namespace imgflo::jobs {

void RecentJobs::add(const std::string& key, nlohmann::json fields) {
  std::lock_guard lock(mu_);
  const uint64_t seq = next_seq_++;
  by_key_[key] = Entry{seq, std::move(fields)};
  order_.emplace_back(seq, key);
  while (by_key_.size() > capacity_ || order_.size() > 2 * capacity_) {
    auto [oldest_seq, oldest_key] = std::move(order_.front());
    order_.pop_front();
    // A key added again later has a newer entry in order_: only its last one removes it.
    if (auto it = by_key_.find(oldest_key); it != by_key_.end() && it->second.seq == oldest_seq) by_key_.erase(it);
  }
}

std::optional<nlohmann::json> RecentJobs::find(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second.fields;
}

}  // namespace imgflo::jobs
