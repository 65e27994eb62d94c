// Keeps a program's view of the applications database current: loads every
// app at start, then reloads the whole table whenever its change counter
// moves (PostgreSQL: woken by NOTIFY; SQLite: polled), and hands each
// snapshot to `on_apps`.
//
// A program that loses the database keeps the last apps it loaded: the
// watcher drops the connection, says so in status() ("stale since T: why"),
// and reconnects with a backoff (reconnect_min doubling up to reconnect_max);
// the first successful reload makes it current again.
//
// Threads: start() runs on the caller's thread; afterwards one thread of the
// watcher's own opens, polls and calls `on_apps` (never concurrently with
// itself). status() is thread-safe and never blocks on the database. Nothing
// throws out of the thread: an exception from the store or from `on_apps` is
// logged and the loop goes on. The destructor stops the thread within about
// `poll` (the longest wait_for_change) plus one query.
#pragma once

#include "apps/app_store.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace imgflo::apps {

struct AppWatcherOptions {
  // Longest wait for a change notification; how often SQLite's counter is read.
  std::chrono::milliseconds poll{1000};
  // Wait before reconnecting after a failed attempt: doubles from min to max.
  std::chrono::milliseconds reconnect_min{250};
  std::chrono::milliseconds reconnect_max{5000};
};

class AppWatcher {
 public:
  // Opens a store (e.g. apps::app_store_opener(url)); called again to reconnect.
  using Opener = std::function<Result<std::unique_ptr<AppStore>>()>;
  // Receives every app, after start() and after each change. May be called
  // with the same apps again (e.g. after a reconnect).
  using OnApps = std::function<void(std::vector<AppRecord>)>;

  AppWatcher(Opener open, OnApps on_apps, AppWatcherOptions options = {});
  ~AppWatcher();
  AppWatcher(const AppWatcher&) = delete;
  AppWatcher& operator=(const AppWatcher&) = delete;

  // Opens the store and loads the apps synchronously (on_apps is called
  // before it returns), then starts the thread. The store's error when it
  // cannot (the program should exit saying why). Call once (a second call
  // after a successful one is kInternal).
  Status start();

  // Ok while the last apps loaded are current; kUnavailable "apps stale since
  // 2026-12-05T23:10:04Z: why" while the database cannot be read (the /ready
  // check "apps").
  Status status() const;

 private:
  void loop();
  // One step of the loop: connect and load, or wait for a change and reload.
  void step();
  // Reads the counter and every app, delivering them; the store's error otherwise.
  Status reload(AppStore& store);
  void lost(const Error& error);
  void current();
  // Waits `d` or until stopping; true when stopping.
  bool pause(std::chrono::milliseconds d);

  // Constant after construction.
  const Opener open_;
  const OnApps on_apps_;
  const AppWatcherOptions options_;

  // The watcher thread's own (start() before the thread exists).
  std::unique_ptr<AppStore> store_;
  int64_t counter_ = -1;  // -1: nothing loaded yet
  std::chrono::milliseconds backoff_;

  mutable std::mutex mu_;
  // Guarded by mu_.
  std::condition_variable wake_;
  bool stopping_ = false;
  bool stale_ = false;
  std::chrono::system_clock::time_point stale_since_;
  std::string stale_why_;

  std::thread thread_;
};

}  // namespace imgflo::apps
