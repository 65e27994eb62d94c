#include "http/drain.h"

#include <atomic>
#include <csignal>

#include <unistd.h>

namespace imgflo::http {

namespace {

std::atomic<bool> g_draining{false};

void exit_now(int signal) { ::_exit(128 + signal); }  // async-signal-safe

}  // namespace

bool draining() noexcept { return g_draining.load(std::memory_order_relaxed); }

void set_draining(bool on) noexcept { g_draining.store(on, std::memory_order_relaxed); }

void exit_at_once_on_stop_signal() noexcept {
  struct sigaction action {};
  action.sa_handler = exit_now;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGINT, SIGTERM}) {
    ::sigaction(signal, &action, nullptr);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, signal);
    ::pthread_sigmask(SIG_UNBLOCK, &one, nullptr);  // imgflo-worker blocks them to sigwait
  }
}

}  // namespace imgflo::http
