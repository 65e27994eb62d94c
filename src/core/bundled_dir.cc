#include "core/bundled_dir.h"

#include <system_error>

namespace imgflo {

namespace fs = std::filesystem;

fs::path bundled_dir(std::string_view name) {
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (!ec) {
    fs::path candidate = exe.parent_path().parent_path() / name;
    if (fs::is_directory(candidate, ec)) return candidate;
  }
  return fs::path(name);
}

}  // namespace imgflo
