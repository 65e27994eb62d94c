#include "jobs/memory_budget.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace imgflo::jobs {

namespace {

constexpr auto kBudgetPoll = std::chrono::milliseconds(20);

uint64_t budget_megabytes(uint64_t bytes) { return (bytes + (1u << 20) - 1) >> 20; }

Error over_budget(uint64_t bytes, uint64_t limit) {
  return Error(ErrorKind::kTooLarge,
               "this image needs about " + std::to_string(budget_megabytes(bytes)) +
                   " MB to process, more than the server's memory limit of " + std::to_string(budget_megabytes(limit)) +
                   " MB",
               {{"estimate_mb", budget_megabytes(bytes)}, {"memory_limit_mb", budget_megabytes(limit)}});
}

// The first number in `path` (a cgroup limit file or /proc/meminfo's first line
// in kB when `kb`); nullopt when unreadable or "max".
std::optional<uint64_t> read_memory_number(const char* path, bool kb) {
  std::ifstream in(path);
  std::string word;
  while (in >> word) {
    if (word.empty() || word.find_first_not_of("0123456789") != std::string::npos) continue;
    try {
      const uint64_t n = std::stoull(word);
      return kb ? n * 1024 : n;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

MemoryBudget::Reservation::Reservation(Reservation&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

MemoryBudget::Reservation& MemoryBudget::Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    release();
    budget_ = std::exchange(other.budget_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

MemoryBudget::Reservation::~Reservation() { release(); }

void MemoryBudget::Reservation::release() noexcept {
  if (budget_) budget_->release(bytes_);
  budget_ = nullptr;
  bytes_ = 0;
}

bool MemoryBudget::may_start(uint64_t ticket, uint64_t bytes) const {
  return *queue_.begin() == ticket && in_use_ + bytes <= limit_;
}

Result<MemoryBudget::Reservation> MemoryBudget::acquire(uint64_t bytes, const Stop& stop) {
  if (limit_ == 0) return Reservation(nullptr, 0);
  std::unique_lock lock(mu_);
  if (bytes > limit_) {
    ++refused_;
    return over_budget(bytes, limit_);
  }
  if (queue_.empty() && in_use_ + bytes <= limit_) {
    in_use_ += bytes;
    ++running_;
    return Reservation(this, bytes);
  }
  const uint64_t ticket = next_ticket_++;
  queue_.insert(ticket);
  ++waits_;
  while (!may_start(ticket, bytes)) {
    if (auto e = stop.check()) {
      queue_.erase(ticket);
      cv_.notify_all();  // the next waiter may be at the head now
      return *e;
    }
    cv_.wait_for(lock, kBudgetPoll);
  }
  queue_.erase(ticket);
  in_use_ += bytes;
  ++running_;
  cv_.notify_all();  // the next in line may fit too
  return Reservation(this, bytes);
}

void MemoryBudget::release(uint64_t bytes) noexcept {
  {
    std::lock_guard lock(mu_);
    in_use_ -= std::min(in_use_, bytes);
    --running_;
  }
  cv_.notify_all();
}

MemoryBudgetStats MemoryBudget::stats() const {
  std::lock_guard lock(mu_);
  return MemoryBudgetStats{limit_, in_use_, running_, queue_.size(), waits_, refused_};
}

std::vector<std::string> memory_limit_files(std::string_view proc_self_cgroup) {
  std::vector<std::string> files;
  std::istringstream lines{std::string(proc_self_cgroup)};
  std::string line;
  while (std::getline(lines, line)) {
    // "ID:CONTROLLERS:PATH": v1 lists "memory" among the controllers, v2 has ID 0 and none.
    const size_t first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = "," + line.substr(first + 1, second - first - 1) + ",";
    std::string path = line.substr(second + 1);
    if (path.empty() || path[0] != '/' || path.find("..") != std::string::npos) continue;
    const bool v1 = controllers.find(",memory,") != std::string::npos;
    const bool v2 = controllers == ",," && line.compare(0, first, "0") == 0;
    if (!v1 && !v2) continue;
    // The group and each of its ancestors: the tightest limit on the way up applies.
    for (;;) {
      const std::string dir = path == "/" ? "" : path;
      if (v1) files.push_back("/sys/fs/cgroup/memory" + dir + "/memory.limit_in_bytes");
      if (v2) {
        files.push_back("/sys/fs/cgroup" + dir + "/memory.max");
        files.push_back("/sys/fs/cgroup/unified" + dir + "/memory.max");
      }
      if (path == "/") break;
      path = path.substr(0, std::max<size_t>(path.rfind('/'), 1));
    }
  }
  return files;
}

uint64_t default_memory_limit(double fraction) {
  std::optional<uint64_t> total = read_memory_number("/proc/meminfo", true);  // "MemTotal: N kB"
  std::ifstream cgroup_file("/proc/self/cgroup");
  const std::string cgroups((std::istreambuf_iterator<char>(cgroup_file)), std::istreambuf_iterator<char>());
  std::vector<std::string> files = memory_limit_files(cgroups);
  // In a cgroup namespace (or when /proc/self/cgroup is unreadable) the own group is the root.
  files.push_back("/sys/fs/cgroup/memory.max");
  files.push_back("/sys/fs/cgroup/memory/memory.limit_in_bytes");
  for (const std::string& file : files) {
    const auto limit = read_memory_number(file.c_str(), false);
    if (limit && (!total || *limit < *total)) total = limit;
  }
  if (!total) return 0;
  return static_cast<uint64_t>(static_cast<double>(*total) * fraction);
}

}  // namespace imgflo::jobs
