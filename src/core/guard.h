// Last-resort exception barriers for thread entry points and callbacks.
//
// Code in this project reports failures as Error values, but libraries
// (libvips' C++ binding, nlohmann, the standard library on allocation
// failure) throw. An exception that leaves a thread's entry point calls
// std::terminate and kills the whole server, so every thread body, event-loop
// callback and task wrapper runs behind one of these barriers: the exception
// is logged with `where` and an error id, and the caller decides what to do
// instead (answer 500, nack a message, fail a job, keep looping).
#pragma once

#include "core/error.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace imgflo {

// A short random id ("e-5f3a9c1b2d4e") that ties a client's error answer to
// the log line with the details.
std::string new_error_id();

// Runs `fn`. When it throws, logs the exception (with `where` and a new
// error id) and returns a kInternal Error carrying that id in its details
// ("error_id"); nullopt when `fn` returned normally. Never throws.
std::optional<Error> run_guarded(std::string_view where, const std::function<void()>& fn) noexcept;

// A thread body that must survive a bug: runs `loop` until it returns
// normally; each time it throws, logs and runs it again after `pause`.
void run_until_return(std::string_view where, const std::function<void()>& loop,
                      std::chrono::milliseconds pause = std::chrono::milliseconds(100)) noexcept;

// The error a client sees for an internal failure whose details were logged
// under `error_id`: a stable message, no internals.
Error internal_error(const std::string& error_id);

// Public vs internal errors: logs `internal_detail` (library texts, bucket
// names, addresses) under a new error id and returns an Error of `kind` whose
// message is `public_message` plus the id, with {"error_id"} in its details.
Error public_error(ErrorKind kind, std::string_view public_message, std::string_view internal_detail);

}  // namespace imgflo
