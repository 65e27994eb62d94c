// The process's drain state (graceful stop), shared by the parts that answer
// for it: HttpServer sets it on the first SIGTERM/SIGINT (HttpServer::drain),
// the readiness route reads it (503 while draining), the mains use the
// second-signal rule.
//
// Drain, as imgflo-server does it: the listener closes (new connections are
// refused), readiness answers 503, requests already accepted are answered
// (with "Connection: close"), then the job system and the storage finish
// within IMGFLO_DRAIN_TIMEOUT and the process exits 0. A second stop signal
// ends the process at once (exit_at_once_on_stop_signal).
//
// Thread-safety: every function may be called from any thread.
#pragma once

namespace imgflo::http {

// True once the process began draining (never cleared by the server).
bool draining() noexcept;
// Sets or clears the flag: HttpServer::drain() sets it; tests of readiness may clear it.
void set_draining(bool on) noexcept;

// From now on SIGINT and SIGTERM end the process at once with exit status
// 128 + the signal's number (130, 143), from the signal handler (_exit: no
// destructor, no flush). Call after the first stop signal was taken.
void exit_at_once_on_stop_signal() noexcept;

}  // namespace imgflo::http
