#include "cache/inflight_watch.h"

#include "core/guard.h"

#include <set>
#include <utility>

namespace imgflo::cache {

InflightWatchList::InflightWatchList(InflightProbe probe, std::chrono::milliseconds interval)
    : probe_(std::move(probe)), interval_(interval), thread_([this] { run_until_return("in-flight watcher", [this] { run(); }); }) {}

InflightWatchList::~InflightWatchList() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  for (auto& [id, w] : watchers_) w.done(Error(ErrorKind::kCancelled, "in-flight watcher stopped"));
}

uint64_t InflightWatchList::add(const std::string& key, EndCallback done) {
  uint64_t id = 0;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    watchers_.emplace(id, Watcher{key, std::move(done)});
    poke_ = true;
  }
  cv_.notify_all();
  return id;
}

void InflightWatchList::remove(uint64_t id) {
  std::lock_guard lock(mu_);
  watchers_.erase(id);
}

size_t InflightWatchList::size() const {
  std::lock_guard lock(mu_);
  return watchers_.size();
}

void InflightWatchList::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!poke_) {
      if (watchers_.empty()) cv_.wait(lock, [&] { return stopping_ || poke_; });
      else cv_.wait_for(lock, interval_, [&] { return stopping_ || poke_; });
      if (stopping_) break;
    }
    poke_ = false;
    lock.unlock();
    poll_once();
    lock.lock();
  }
}

void InflightWatchList::poll_once() {
  std::vector<std::string> keys;
  {
    std::lock_guard lock(mu_);
    std::set<std::string> distinct;
    for (const auto& [id, w] : watchers_) distinct.insert(w.key);
    keys.assign(distinct.begin(), distinct.end());
  }
  if (keys.empty()) return;
  auto states = probe_(keys);
  std::map<std::string, Result<InflightEnd>> ended;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!states.ok()) ended.emplace(keys[i], states.error());
    else if (i < states->size() && (*states)[i]) ended.emplace(keys[i], *(*states)[i]);
  }
  std::vector<std::pair<EndCallback, Result<InflightEnd>>> calls;
  {
    std::lock_guard lock(mu_);
    for (auto it = watchers_.begin(); it != watchers_.end();) {
      auto e = ended.find(it->second.key);
      if (e == ended.end()) {
        ++it;
        continue;
      }
      calls.emplace_back(std::move(it->second.done), e->second);
      it = watchers_.erase(it);
    }
  }
  for (auto& [done, outcome] : calls) done(std::move(outcome));
}

}  // namespace imgflo::cache
