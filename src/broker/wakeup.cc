#include "broker/wakeup.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace imgflo::broker {

Wakeup::Wakeup() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

Wakeup::~Wakeup() { ::close(fd_); }

void Wakeup::notify() {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(fd_, &one, sizeof one);  // EAGAIN = already signalled
}

bool Wakeup::wait(int other_fd, std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {other_fd, POLLIN, 0}};
  const int n = ::poll(fds, other_fd >= 0 ? 2 : 1, static_cast<int>(timeout.count()));
  uint64_t value = 0;
  [[maybe_unused]] const ssize_t r = ::read(fd_, &value, sizeof value);  // clear (EAGAIN when not signalled)
  return n > 0 && other_fd >= 0 && (fds[1].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
}

}  // namespace imgflo::broker
