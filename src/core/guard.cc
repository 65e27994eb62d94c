#include "core/guard.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <random>
#include <thread>

namespace imgflo {

std::string new_error_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char id[24];
  std::snprintf(id, sizeof id, "e-%012llx", static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
  return id;
}

Error internal_error(const std::string& error_id) {
  return Error(ErrorKind::kInternal, "internal error (reported as " + error_id + ")", {{"error_id", error_id}});
}

Error public_error(ErrorKind kind, std::string_view public_message, std::string_view internal_detail) {
  const std::string id = new_error_id();
  spdlog::error("[{}] {}: {}", id, public_message, internal_detail);
  return Error(kind, std::string(public_message) + " (reported as " + id + ")", {{"error_id", id}});
}

std::optional<Error> run_guarded(std::string_view where, const std::function<void()>& fn) noexcept {
  try {
    try {
      fn();
      return std::nullopt;
    } catch (const std::exception& e) {
      const std::string id = new_error_id();
      spdlog::error("{}: unexpected exception [{}]: {}", where, id, e.what());
      return internal_error(id);
    } catch (...) {
      const std::string id = new_error_id();
      spdlog::error("{}: unexpected non-standard exception [{}]", where, id);
      return internal_error(id);
    }
  } catch (...) {  // logging or building the error failed (out of memory): still never throw
    return Error(ErrorKind::kInternal, "internal error");
  }
}

void run_until_return(std::string_view where, const std::function<void()>& loop,
                      std::chrono::milliseconds pause) noexcept {
  while (run_guarded(where, loop)) std::this_thread::sleep_for(pause);
}

}  // namespace imgflo
