#include "jobs/recent_jobs.h"

#include <iterator>

namespace imgflo::jobs {

void RecentJobs::add(const std::string& key, nlohmann::json fields) {
  std::lock_guard lock(mu_);
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    order_.erase(it->second.age);
    by_key_.erase(it);
  }
  order_.push_back(key);
  by_key_.emplace(key, Entry{std::prev(order_.end()), std::move(fields)});
  if (by_key_.size() > capacity_) {
    by_key_.erase(order_.front());
    order_.pop_front();
  }
}

std::optional<nlohmann::json> RecentJobs::find(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second.fields;
}

}  // namespace imgflo::jobs
