#include "core/deadline.h"

namespace imgflo {

Clock::duration Deadline::remaining() const {
  if (is_never()) return Clock::duration::max() / 2;
  auto left = at_ - clock_->now();
  return left < Clock::duration::zero() ? Clock::duration::zero() : left;
}

std::optional<Error> Stop::check() const {
  if (token.cancelled()) return Error(ErrorKind::kCancelled, "processing was cancelled");
  if (deadline.expired()) return Error(ErrorKind::kTimeout, "processing deadline exceeded");
  return std::nullopt;
}

}  // namespace imgflo
