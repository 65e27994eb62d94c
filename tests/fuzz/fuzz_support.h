// Shared helpers for the libFuzzer targets in this folder.
//
// A target aborts (a finding) when a function under test throws, when an
// invariant checked here fails, or when a sanitizer reports; an error value
// returned by the code under test is a normal outcome.
#pragma once

#include "core/error.h"
#include "http/handler.h"
#include "http/message.h"
#include "jobs/job_system.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace imgflo::fuzz {

// libvips started, logs silenced. Call from LLVMFuzzerInitialize.
void init(const char* argv0);

// The repository (graphs/, examples/).
std::filesystem::path source_dir();

// A fresh private folder for this process (removed at exit).
std::filesystem::path scratch_dir(const std::string& name);

// Prints `what` and aborts: libFuzzer records the input as a crash.
[[noreturn]] void fail(const std::string& what);

// Checks what a client would receive: a plausible status and, for JSON
// responses, a body that parses as JSON.
void check_response(const http::HttpResponse& r);

// The response for an error value, as the service would send it (never throws).
void check_error(const Error& e);

// A job system that refuses every job (kOverloaded): the handler answers 503 at once and
// nothing is ever fetched or run. Each job it is offered must serialise for the broker.
class RefusingJobs final : public jobs::JobSystem {
 public:
  Result<uint64_t> submit(jobs::Job job, jobs::JobCallback done) override;
  void withdraw(uint64_t) override {}
  jobs::JobStats stats() const override { return {}; }
  Status ping(std::chrono::milliseconds) override { return ok_status(); }
};

// Runs blocking work inline; timers never fire (with RefusingJobs nothing waits for one).
class InlineLoop final : public http::EventLoop {
 public:
  std::function<void()> after(Clock::duration, std::function<void()>) override { return [] {}; }
  void post_blocking(std::function<void()> fn) override { fn(); }
};

// handler.handle(request) must answer exactly once before it returns (with RefusingJobs and
// InlineLoop), with a response check_response accepts.
void handle_once(http::Handler& handler, const http::HttpRequest& request);

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace imgflo::fuzz
