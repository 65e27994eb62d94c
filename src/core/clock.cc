#include "core/clock.h"

namespace imgflo {

namespace {

class SystemClock final : public ClockSource {
 public:
  Clock::time_point now() const override { return Clock::now(); }
  std::chrono::system_clock::time_point wall_now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace

const ClockSource& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace imgflo
