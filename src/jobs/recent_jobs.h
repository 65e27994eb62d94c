// The outcome lines of the last jobs one process ran, by cache key: what the
// debug page (GET /debug/job/KEY, http/web_ui.h) shows as the job's phases
// and sizes. In distributed mode a frontend only knows the jobs its own
// workers ran (none with external workers).
//
// Holds the fields of jobs/job_report.h's outcome line (no input URL, no
// credentials: the same text the log gets), at most `capacity` keys; the
// oldest key is forgotten first, a job run again under a key replaces its
// line (and is the newest). Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace imgflo::jobs {

class RecentJobs {
 public:
  static constexpr size_t kDefaultCapacity = 256;
  explicit RecentJobs(size_t capacity = kDefaultCapacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Keeps `fields` (job_outcome_fields()) as the last job of `key`.
  void add(const std::string& key, nlohmann::json fields);
  // The last job's fields under `key`, or nullopt.
  std::optional<nlohmann::json> find(std::string_view key) const;

 private:
  struct Entry {
    std::list<std::string>::iterator age;  // the key's place in order_
    nlohmann::json fields;
  };
  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<std::string> order_;                      // guarded by mu_; keys, oldest first
  std::map<std::string, Entry, std::less<>> by_key_;  // guarded by mu_
};

}  // namespace imgflo::jobs
