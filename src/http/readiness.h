// Readiness (GET /ready): whether this process can serve now, as named
// checks, each with its result and latency. Liveness is GET /health (the
// process answers at all); readiness is what a load balancer or Kubernetes
// uses to send traffic here or not.
//
// Each check has a thread of its own (started at the first report()); a
// round starts every idle check at once and ends when all have returned or
// after `timeout`, whichever comes first. A check still running then is
// reported failed ("timeout") and is not started again until it returns, so a
// hung dependency holds one thread, never one per request. A round's report
// is reused for `cache_for` (time read from `clock`) and requests arriving
// during a round share it, so /ready, however often it is asked, sends at
// most one probe per check per `cache_for` to the dependencies.
//
// The answer shows each failure's kind ("unavailable", "timeout", ...); the
// details (addresses, library texts) go to the log, once per change of a
// check's state.
//
// Thread-safe. report() never blocks; its callback runs on the caller's
// thread (fresh report) or on the readiness thread (after a round).
#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "http/message.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace imgflo::http {

struct ReadinessCheck {
  std::string name;
  // Ok, or why not. Should return within about `timeout` (it is reported as
  // a timeout after that). Runs on the check's own thread; may block.
  std::function<Status(std::chrono::milliseconds timeout)> probe;
  // An instant check reads a flag (it must not block): it gets no thread and
  // is evaluated again at every report(), cached or not (e.g. draining).
  bool instant = false;
};

struct ReadinessOptions {
  std::chrono::milliseconds timeout{500};     // longest round (the checks run at once)
  std::chrono::milliseconds cache_for{1000};  // a report is reused this long
};

struct CheckOutcome {
  std::string name;
  bool ok = false;
  double ms = 0;      // how long the probe took (the round's timeout when it did not return)
  std::string error;  // kind_name() of the failure; "" when ok
};

struct ReadinessReport {
  bool ready = false;  // every check ok
  std::vector<CheckOutcome> checks;
  // {"status": "ready" | "not ready", "checks": {NAME: {"ok", "ms"[, "error"]}}}
  nlohmann::json to_json() const;
};

// 200 (ready) or 503 with the report's JSON, never cached.
HttpResponse readiness_response(const ReadinessReport& report);

class Readiness {
 public:
  using Callback = std::function<void(const ReadinessReport&)>;

  // `clock` must outlive this.
  explicit Readiness(std::vector<ReadinessCheck> checks, ReadinessOptions options = {},
                     const ClockSource& clock = system_clock());
  // Waits for running probes (each bounded by its own timeout); callbacks
  // still waiting get a "not ready" report.
  ~Readiness();
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  // Calls `done` with a report at most `cache_for` old (see above).
  void report(Callback done);

 private:
  struct Probe {
    ReadinessCheck check;
    std::thread thread;
    bool go = false;          // start a probe (guarded by mu_)
    bool busy = false;        // a probe is running (guarded by mu_)
    uint64_t started = 0;     // round of the running or last probe (guarded by mu_)
    uint64_t finished = 0;    // round of the last probe that returned (guarded by mu_)
    CheckOutcome outcome;     // of round `finished` (guarded by mu_)
    bool failing = false;     // last reported state, for the log (guarded by mu_)
  };

  void start_threads();                       // REQUIRES: mu_ held
  void run_rounds();                          // the readiness thread
  ReadinessReport run_round(std::unique_lock<std::mutex>& lock);  // REQUIRES: lock holds mu_
  void run_probe(Probe& p);                   // a check's thread
  void log_change(Probe& p, bool ok, const std::string& detail);  // REQUIRES: mu_ held
  // Evaluates the instant checks into `report` (whose checks are in probes_' order).
  void refresh_instant(ReadinessReport& report) const;

  const ReadinessOptions options_;
  const ClockSource& clock_;
  std::vector<std::unique_ptr<Probe>> probes_;  // fixed after construction; fields guarded by mu_

  std::mutex mu_;
  std::condition_variable cv_;      // any change below, or a probe's
  std::vector<Callback> waiters_;   // guarded by mu_
  std::optional<ReadinessReport> last_;  // guarded by mu_
  Clock::time_point last_at_{};     // guarded by mu_
  uint64_t round_ = 0;              // guarded by mu_
  bool stopping_ = false;           // guarded by mu_
  bool started_ = false;            // guarded by mu_
  std::thread rounds_;
};

}  // namespace imgflo::http
