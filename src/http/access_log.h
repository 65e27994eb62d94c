// The access log: one line per answered request, in the process's log format
// (core/log_format.h), at level info:
//   {"time":...,"level":"info","message":"access","method":"GET",
//    "path":"/graph/KEY/-/crop.jpg?input=...","route":"graph","status":301,
//    "cache":"hot","bytes":0,"app":"KEY","duration_ms":0.041,"request_id":"..."}
// path is redacted (http/request_target.h); bytes is the body's length
// (0 for redirects and HEAD); duration_ms as the request metrics measure it;
// app is the key of a signed URL ("" otherwise).
//
// Cheap enough for the hot path: each event-loop thread formats its lines
// into its own buffer (no lock, no allocation once warm); the buffer is
// written with one write(2) (write_log) when the loop gets to the flush the
// transport posts for it — after the other ready handlers of that loop, so a
// busy loop writes many lines per call — or at once past kFlushBytes. The
// fields of a hot-path answer that depend only on its target (method,
// redacted path, route, status, cache, bytes, app) are kept formatted per
// loop and target, so a repeat formats only its time, duration and id.
//
// Threads: append(loop, ...) and flush(loop) only on event-loop thread
// `loop`; flush_all() only when no loop runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/log_format.h"
#include "http/message.h"

namespace imgflo::http {

struct AccessRecord {
  std::string_view method;  // "" when the request could not be parsed
  std::string_view target;  // as received (redacted when written)
  int status = 0;
  CacheOutcome cache = CacheOutcome::kNone;
  uint64_t bytes = 0;
  std::chrono::nanoseconds latency{0};
  std::string_view request_id;
};

class AccessLog {
 public:
  static constexpr size_t kFlushBytes = 64 * 1024;
  using Writer = std::function<void(std::string_view lines)>;

  // `loops` buffers; `enabled` false makes append() a no-op (IMGFLO_ACCESS_LOG=off).
  // Lines go to `writer` (default: stderr through write_log).
  AccessLog(size_t loops, bool enabled, Writer writer = {});
  ~AccessLog();

  // Formats `r` into loop `loop`'s buffer unless the log is off or level info
  // is not logged. True when the buffer was empty before: the caller then
  // schedules flush(loop) on that loop.
  bool append(size_t loop, const AccessRecord& r);
  void flush(size_t loop);
  void flush_all();

 private:
  // A hot-path target's fixed fields, formatted once (a direct-mapped table per loop).
  struct HotFields {
    std::string target;
    LogFormat format = LogFormat::kText;
    std::string fields;
  };
  static constexpr size_t kHotSlots = 256;
  struct alignas(64) Buffer {
    std::string text;
    std::vector<HotFields> hot;  // kHotSlots once a hot answer was logged
  };
  static const std::string& hot_fields(Buffer& buffer, LogFormat format, const AccessRecord& r);
  const bool enabled_;
  Writer writer_;
  std::vector<Buffer> buffers_;
};

}  // namespace imgflo::http
