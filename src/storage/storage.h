// Result storage: encoded result bytes under their cache key.
//
// put() is atomic: a reader sees either nothing or the whole result, never a
// partial file, and a crash mid-write leaves nothing behind the key. It
// returns the location recorded in the cache index: an absolute URL (S3, a
// CDN) or a server path ("/cache/KEY") that the frontend makes absolute.
// Keys must satisfy valid_key(). Implementations are thread-safe; calls block
// (disk or network) and run on worker threads, never on the event loop.
#pragma once

#include "core/error.h"

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imgflo::storage {

class Storage {
 public:
  virtual ~Storage() = default;
  virtual Result<std::string> put(const std::string& key, std::string_view bytes, std::string_view content_type) = 0;
  // The stored bytes; kNotFound when absent.
  virtual Result<std::string> get(const std::string& key) = 0;
  // Whether a result is stored (false when absent; errors when the store is unreachable).
  virtual Result<bool> exists(const std::string& key) = 0;
  // The location put() returns for `key`, without storing anything (the
  // future URL a POST answers with).
  virtual std::string location(const std::string& key) const = 0;
  // Whether results can be stored now, checked within about `timeout`: ok,
  // or why not (for /ready, http/readiness.h): a local folder takes a new
  // file; S3 answers a HEAD of the bucket with 2xx.
  virtual Status ping(std::chrono::milliseconds timeout) = 0;
};

// "<40 hex>" optionally followed by ".<1-10 alphanumerics>": the only names
// storage accepts, so no key can name a path outside the store.
bool valid_key(std::string_view key);

// MIME type for a key's extension (application/octet-stream when unknown).
std::string_view content_type_for_key(std::string_view key);

}  // namespace imgflo::storage
