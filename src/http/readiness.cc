#include "http/readiness.h"

#include "core/guard.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace imgflo::http {

namespace {

// Runs `check` behind an exception barrier: its outcome, and the failure's message for the log.
std::pair<CheckOutcome, std::string> run_readiness_check(const ReadinessCheck& check,
                                                         std::chrono::milliseconds timeout) {
  const auto t0 = Clock::now();
  Status status = ok_status();
  if (auto e = run_guarded("readiness check", [&] { status = check.probe(timeout); })) status = *e;
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (status.ok()) return {CheckOutcome{check.name, true, ms, ""}, ""};
  const Error& e = status.error();
  return {CheckOutcome{check.name, false, ms, std::string(kind_name(e.kind()))}, e.message()};
}

}  // namespace

nlohmann::json ReadinessReport::to_json() const {
  nlohmann::json named = nlohmann::json::object();
  for (const auto& c : checks) {
    nlohmann::json one = {{"ok", c.ok}, {"ms", std::round(c.ms * 100) / 100}};
    if (!c.ok) one["error"] = c.error;
    named[c.name] = std::move(one);
  }
  return {{"status", ready ? "ready" : "not ready"}, {"checks", std::move(named)}};
}

HttpResponse readiness_response(const ReadinessReport& report) {
  HttpResponse r = HttpResponse::json(report.ready ? 200 : 503, report.to_json());
  r.header("Cache-Control", "no-store");
  return r;
}

Readiness::Readiness(std::vector<ReadinessCheck> checks, ReadinessOptions options, const ClockSource& clock)
    : options_(options), clock_(clock) {
  for (auto& c : checks) {
    probes_.push_back(std::make_unique<Probe>());
    probes_.back()->check = std::move(c);
  }
}

Readiness::~Readiness() {
  std::vector<Callback> left;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    left.swap(waiters_);
  }
  cv_.notify_all();
  if (rounds_.joinable()) rounds_.join();
  for (auto& p : probes_) {
    if (p->thread.joinable()) p->thread.join();
  }
  const ReadinessReport stopped{};  // not ready, no checks
  for (auto& done : left) (void)run_guarded("readiness callback", [&] { done(stopped); });
}

void Readiness::report(Callback done) {
  std::unique_lock lock(mu_);
  if (last_ && clock_.now() - last_at_ < options_.cache_for) {
    ReadinessReport fresh = *last_;
    lock.unlock();
    refresh_instant(fresh);
    return done(fresh);
  }
  if (stopping_) {
    lock.unlock();
    return done(ReadinessReport{});
  }
  if (!started_) start_threads();
  waiters_.push_back(std::move(done));
  cv_.notify_all();
}

void Readiness::start_threads() {
  started_ = true;
  for (auto& p : probes_) {
    if (p->check.instant) continue;
    p->thread = std::thread([this, probe = p.get()] {
      run_until_return("readiness check", [this, probe] { run_probe(*probe); });
    });
  }
  rounds_ = std::thread([this] { run_until_return("readiness", [this] { run_rounds(); }); });
}

void Readiness::run_rounds() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !waiters_.empty(); });
    if (stopping_) return;
    const ReadinessReport report = run_round(lock);
    std::vector<Callback> waiters;
    waiters.swap(waiters_);
    lock.unlock();
    for (auto& done : waiters) (void)run_guarded("readiness callback", [&] { done(report); });
    lock.lock();
  }
}

ReadinessReport Readiness::run_round(std::unique_lock<std::mutex>& lock) {
  const uint64_t round = ++round_;
  for (auto& p : probes_) {
    if (p->busy || p->check.instant) continue;  // busy: an earlier round's probe; never two at once
    p->busy = true;
    p->go = true;
    p->started = round;
  }
  cv_.notify_all();
  const auto all_returned = [&] {
    return std::all_of(probes_.begin(), probes_.end(),
                       [&](const auto& p) { return p->check.instant || p->finished == round; });
  };
  cv_.wait_until(lock, Clock::now() + options_.timeout, [&] { return stopping_ || all_returned(); });
  ReadinessReport report;
  for (auto& p : probes_) {
    CheckOutcome outcome = p->outcome;
    if (!p->check.instant && p->finished != round) {
      outcome = CheckOutcome{p->check.name, false, static_cast<double>(options_.timeout.count()),
                             std::string(kind_name(ErrorKind::kTimeout))};
      log_change(*p, false, "no answer within " + std::to_string(options_.timeout.count()) + " ms");
    }
    report.checks.push_back(std::move(outcome));
  }
  refresh_instant(report);
  last_ = report;
  last_at_ = clock_.now();
  return report;
}

void Readiness::refresh_instant(ReadinessReport& report) const {
  report.ready = true;
  for (size_t i = 0; i < probes_.size() && i < report.checks.size(); ++i) {
    CheckOutcome& outcome = report.checks[i];
    if (probes_[i]->check.instant) outcome = run_readiness_check(probes_[i]->check, options_.timeout).first;
    report.ready = report.ready && outcome.ok;
  }
}

void Readiness::run_probe(Probe& p) {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || p.go; });
    if (stopping_) return;
    p.go = false;
    const uint64_t round = p.started;
    lock.unlock();
    auto [outcome, detail] = run_readiness_check(p.check, options_.timeout);
    lock.lock();
    log_change(p, outcome.ok, detail);
    p.outcome = std::move(outcome);
    p.finished = round;
    p.busy = false;
    cv_.notify_all();
  }
}

void Readiness::log_change(Probe& p, bool ok, const std::string& detail) {
  if (ok == !p.failing) return;
  p.failing = !ok;
  if (ok) spdlog::info("readiness: {} is ok again", p.check.name);
  else spdlog::warn("readiness: {} failed: {}", p.check.name, detail);
}

}  // namespace imgflo::http
