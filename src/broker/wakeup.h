// Waking an I/O thread that sleeps in poll(2) on a broker socket: an eventfd
// that other threads signal after queueing work for it.
//
// Thread-safety: notify() from any thread; wait() and drain() from the owner.
#pragma once

#include <chrono>

namespace imgflo::broker {

class Wakeup {
 public:
  Wakeup();  // throws std::system_error if no eventfd can be made (out of descriptors)
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  void notify();
  // Sleeps until notified, `other_fd` (if >= 0) is readable, or `timeout`
  // passes. Clears the notification. Returns true when `other_fd` is readable.
  bool wait(int other_fd, std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

}  // namespace imgflo::broker
