#include "storage/local_storage.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>

namespace imgflo::storage {

namespace fs = std::filesystem;

namespace {

constexpr const char* kTempPrefix = ".tmp-";

Error io_error(const std::string& what) {
  return Error(ErrorKind::kInternal, "local storage: " + what + ": " + std::strerror(errno));
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string random_instance_id() {
  std::random_device rd;
  char id[17];
  std::snprintf(id, sizeof id, "%08x%08x", rd(), rd());
  return id;
}

}  // namespace

void LocalStorage::sync_directory() const {
  const int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

Result<std::unique_ptr<LocalStorage>> LocalStorage::open(const fs::path& dir, Durability durability) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    return Error(ErrorKind::kInternal, "cannot create cache folder " + dir.string() + ": " + ec.message());
  }
  const fs::path staging = dir / kStagingFolder;
  if (durability == Durability::kBackground) {
    fs::create_directories(staging, ec);
    if (ec) return Error(ErrorKind::kInternal, "cannot create " + staging.string() + ": " + ec.message());
  }
  remove_stale_temporaries(dir);
  remove_stale_temporaries(staging);  // absent unless kBackground ran here before: nothing to do
  return std::unique_ptr<LocalStorage>(new LocalStorage(fs::absolute(dir), random_instance_id(), durability));
}

void LocalStorage::remove_stale_temporaries(const fs::path& dir) {
  // Other instances may share the folder (redis-local): their temporaries
  // are in use. Only files nobody has written to for kStaleTemporary are
  // leftovers of a crash.
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().rfind(kTempPrefix, 0) != 0) continue;
    std::error_code stat_ec;
    const auto written = fs::last_write_time(entry.path(), stat_ec);
    if (!stat_ec && now - written > kStaleTemporary) fs::remove(entry.path(), stat_ec);
  }
}

LocalStorage::LocalStorage(fs::path dir, std::string instance, Durability durability)
    : dir_(std::move(dir)),
      staging_(durability == Durability::kBackground ? dir_ / kStagingFolder : dir_),
      instance_(std::move(instance)),
      durability_(durability) {
  if (durability_ == Durability::kBackground) {
    background_ = std::make_unique<BackgroundTasks>(kBackgroundThreads, kBackgroundBacklog);
  }
}

LocalStorage::~LocalStorage() { background_.reset(); }

Result<fs::path> LocalStorage::write_temporary(const std::string& key, std::string_view bytes) const {
  std::string tmpl = (staging_ / (std::string(kTempPrefix) + instance_ + "-" + key + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return io_error("cannot create a temporary file");
  const bool written = write_all(fd, bytes) && ::fchmod(fd, 0644) == 0;
  Error e = io_error("cannot store " + key);
  ::close(fd);
  if (!written) {
    ::unlink(tmpl.c_str());
    return e;
  }
  return fs::path(std::move(tmpl));
}

Status LocalStorage::publish(const std::string& key, const fs::path& temporary) {
  int failure = 0;
  const int fd = ::open(temporary.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) failure = errno;
  if (fd >= 0) ::close(fd);
  bool superseded = false;
  {
    std::lock_guard lock(mu_);
    superseded = superseded_.erase(temporary.string()) != 0;  // a later put() of the key wins
    if (failure == 0 && !superseded && ::rename(temporary.c_str(), (dir_ / key).c_str()) != 0) failure = errno;
    if (auto it = pending_.find(key); it != pending_.end() && it->second == temporary) pending_.erase(it);
  }
  if (superseded) {
    ::unlink(temporary.c_str());
    return ok_status();
  }
  if (failure != 0) {
    ::unlink(temporary.c_str());
    errno = failure;
    return io_error("cannot store " + key);
  }
  if (durability_ == Durability::kBeforeAnswer) sync_directory();  // the rename itself survives a power loss
  return ok_status();
}

Result<std::string> LocalStorage::put(const std::string& key, std::string_view bytes, std::string_view) {
  if (!valid_key(key)) return Error(ErrorKind::kInternal, "invalid storage key");
  auto temporary = write_temporary(key, bytes);
  if (!temporary.ok()) return temporary.take_error();
  if (durability_ == Durability::kBackground) {
    {
      std::lock_guard lock(mu_);
      auto [it, fresh] = pending_.try_emplace(key, *temporary);
      if (!fresh) {
        superseded_.insert(it->second.string());
        it->second = *temporary;
      }
    }
    std::function<void()> task = [this, key, path = *temporary] {
      if (Status st = publish(key, path); !st.ok()) spdlog::error("{} (the result is dropped)", st.error().message());
    };
    if (background_->try_post(task)) return location(key);
  }
  if (Status st = publish(key, *temporary); !st.ok()) return st.take_error();
  return location(key);
}

int LocalStorage::open_for_reading(const std::string& key) const {
  std::lock_guard lock(mu_);
  const auto it = pending_.find(key);
  const fs::path path = it != pending_.end() ? it->second : dir_ / key;
  return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
}

Result<std::string> LocalStorage::get(const std::string& key) {
  const int fd = valid_key(key) ? open_for_reading(key) : -1;
  if (fd < 0) return Error(ErrorKind::kNotFound, "no stored result " + key);
  struct stat st {};
  std::string bytes;
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (ok) {
    bytes.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ok = done == bytes.size();
  }
  ::close(fd);
  if (!ok) return Error(ErrorKind::kNotFound, "no stored result " + key);
  return bytes;
}

Result<bool> LocalStorage::exists(const std::string& key) {
  if (!valid_key(key)) return false;
  {
    std::lock_guard lock(mu_);
    if (pending_.count(key) != 0) return true;
  }
  return path_of(key).has_value();
}

Status LocalStorage::ping(std::chrono::milliseconds) {
  auto probe = write_temporary("ready-probe", "ok");
  if (!probe.ok()) return Error(ErrorKind::kUnavailable, probe.error().message());
  ::unlink(probe->c_str());
  return ok_status();
}

void LocalStorage::flush() {
  if (background_) background_->drain();
}

std::vector<std::string> LocalStorage::keys() const {
  std::vector<std::string> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& entry : pending_) out.push_back(entry.first);
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && valid_key(name)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());  // published while listed
  return out;
}

std::optional<fs::path> LocalStorage::path_of(const std::string& key) const {
  if (!valid_key(key)) return std::nullopt;
  fs::path p = dir_ / key;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  return p;
}

}  // namespace imgflo::storage
