// The cache index: which results exist, and where (key -> URL).
//
// Keys are the request cache keys ("<sha1>.<ext>"); values are what the
// storage returned for the stored result (an absolute URL, or a path such as
// "/cache/KEY" that the frontend makes absolute). "Not found" is an ordinary
// outcome (nullopt), not an error; errors mean the index itself is
// unreachable (kUnavailable).
//
// The interface is callback-based so that a networked index (Redis) can answer
// from its own I/O thread without blocking the caller; an in-memory index
// calls back before returning. Callbacks may run on any thread and must not
// block. Implementations are thread-safe.
#pragma once

#include "core/error.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace imgflo::cache {

using LookupCallback = std::function<void(Result<std::optional<std::string>>)>;

class CacheIndex {
 public:
  virtual ~CacheIndex() = default;
  virtual void get(const std::string& key, LookupCallback done) = 0;
  // Records a stored result. Blocking; called from workers, never from the event loop.
  virtual Status put(const std::string& key, const std::string& url) = 0;
  // Whether every service lookups go to answers, within about `timeout`: ok,
  // or kUnavailable/kTimeout saying why not (for /ready, http/readiness.h).
  // An in-memory index has nothing to reach and answers ok at once.
  // Blocking; never from the event loop.
  virtual Status ping(std::chrono::milliseconds timeout) = 0;
};

}  // namespace imgflo::cache
