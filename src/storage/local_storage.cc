#include "storage/local_storage.h"

#include <cerrno>
#include <cstdio>
#include <random>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

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

Result<std::unique_ptr<LocalStorage>> LocalStorage::open(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    return Error(ErrorKind::kInternal, "cannot create cache folder " + dir.string() + ": " + ec.message());
  }
  remove_stale_temporaries(dir);
  return std::unique_ptr<LocalStorage>(new LocalStorage(fs::absolute(dir), random_instance_id()));
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

Result<std::string> LocalStorage::put(const std::string& key, std::string_view bytes, std::string_view) {
  if (!valid_key(key)) return Error(ErrorKind::kInternal, "invalid storage key");
  std::string tmpl = (dir_ / (std::string(kTempPrefix) + instance_ + "-" + key + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return io_error("cannot create a temporary file");
  const bool written = write_all(fd, bytes) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::chmod(tmpl.c_str(), 0644) != 0 || ::rename(tmpl.c_str(), (dir_ / key).c_str()) != 0) {
    Error e = io_error("cannot store " + key);
    ::unlink(tmpl.c_str());
    return e;
  }
  sync_directory();  // the rename itself survives a power loss
  return location(key);
}

Result<std::string> LocalStorage::get(const std::string& key) {
  auto path = path_of(key);
  if (!path) return Error(ErrorKind::kNotFound, "no stored result " + key);
  std::ifstream in(*path, std::ios::binary);
  if (!in) return Error(ErrorKind::kNotFound, "no stored result " + key);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> LocalStorage::keys() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && valid_key(name)) out.push_back(name);
  }
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
