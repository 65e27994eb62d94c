#include "apps/app_watcher.h"

#include "core/guard.h"
#include "core/log_format.h"

#include <ctime>

namespace imgflo::apps {

namespace {

std::string utc_text(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

AppWatcher::AppWatcher(Opener open, OnApps on_apps, AppWatcherOptions options)
    : open_(std::move(open)), on_apps_(std::move(on_apps)), options_(options), backoff_(options.reconnect_min) {}

AppWatcher::~AppWatcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status AppWatcher::start() {
  if (thread_.joinable()) return Error(ErrorKind::kInternal, "app watcher started twice");
  auto opened = open_();
  if (!opened.ok()) return opened.take_error();
  store_ = std::move(opened).value();
  if (auto st = reload(*store_); !st.ok()) return st;
  thread_ = std::thread([this] { run_until_return("app watcher", [this] { loop(); }); });
  return ok_status();
}

Status AppWatcher::status() const {
  std::lock_guard lock(mu_);
  if (!stale_) return ok_status();
  return Error(ErrorKind::kUnavailable, "apps stale since " + utc_text(stale_since_) + ": " + stale_why_);
}

void AppWatcher::loop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    step();
  }
}

void AppWatcher::step() {
  if (!store_) {
    auto opened = open_();
    if (!opened.ok()) {
      lost(opened.error());
      pause(backoff_);
      backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
      return;
    }
    store_ = std::move(opened).value();
    counter_ = -1;  // a new connection: reload whatever the counter says
  } else if (auto waited = store_->wait_for_change(options_.poll); !waited.ok()) {
    lost(waited.error());
    return;
  }
  if (auto st = reload(*store_); !st.ok()) lost(st.error());
}

Status AppWatcher::reload(AppStore& store) {
  auto counter = store.change_counter();
  if (!counter.ok()) return counter.take_error();
  if (*counter != counter_) {
    // The counter first: a write between the two reads is reloaded again next time.
    auto apps = store.list();
    if (!apps.ok()) return apps.take_error();
    if (auto thrown = run_guarded("app watcher: on_apps", [&] { on_apps_(std::move(apps).value()); })) {
      return std::move(*thrown);
    }
    counter_ = *counter;
  }
  current();
  return ok_status();
}

void AppWatcher::lost(const Error& error) {
  store_.reset();
  bool first = false;
  {
    std::lock_guard lock(mu_);
    first = !stale_;
    if (first) stale_since_ = std::chrono::system_clock::now();
    stale_ = true;
    stale_why_ = error.message();
  }
  if (first) {
    log_event(spdlog::level::warn, "applications database lost; serving the last apps loaded",
              {{"error", error.message()}});
  }
}

void AppWatcher::current() {
  backoff_ = options_.reconnect_min;
  bool was_stale = false;
  {
    std::lock_guard lock(mu_);
    was_stale = stale_;
    stale_ = false;
  }
  if (was_stale) log_event(spdlog::level::info, "applications database back; apps reloaded", {{"apps", "current"}});
}

bool AppWatcher::pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return wake_.wait_for(lock, d, [this] { return stopping_; });
}

}  // namespace imgflo::apps
