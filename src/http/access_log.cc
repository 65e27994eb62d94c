#include "http/access_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/log_format.h"
#include "http/request_target.h"

namespace imgflo::http {

AccessLog::AccessLog(size_t loops, bool enabled, Writer writer)
    : enabled_(enabled),
      writer_(writer ? std::move(writer) : Writer(write_log)),
      buffers_(std::max<size_t>(1, loops)) {}

AccessLog::~AccessLog() { flush_all(); }

bool AccessLog::append(size_t loop, const AccessRecord& r) {
  if (!enabled_ || !spdlog::default_logger_raw()->should_log(spdlog::level::info)) return false;
  std::string& text = buffers_[loop % buffers_.size()].text;
  const bool was_empty = text.empty();
  thread_local std::string path;
  path.clear();
  append_redacted_target(path, r.target);
  const double ms = static_cast<double>(r.latency.count() / 1000) / 1000.0;  // whole microseconds
  const LogField fields[] = {{"method", r.method.empty() ? std::string_view("-") : r.method},
                             {"path", path},
                             {"route", route_name(route_of(r.target))},
                             {"status", r.status},
                             {"cache", cache_outcome_name(r.cache)},
                             {"bytes", r.bytes},
                             {"duration_ms", ms},
                             {"request_id", r.request_id},
                             {"app", app_key_of(r.target)}};
  append_log_line(text, log_format(), spdlog::level::info, std::chrono::system_clock::now(), "access", fields);
  if (text.size() >= kFlushBytes) flush(loop);
  return was_empty;
}

void AccessLog::flush(size_t loop) {
  std::string& text = buffers_[loop % buffers_.size()].text;
  if (text.empty()) return;
  writer_(text);
  text.clear();
  if (text.capacity() > 4 * kFlushBytes) std::string().swap(text);
}

void AccessLog::flush_all() {
  for (size_t i = 0; i < buffers_.size(); ++i) flush(i);
}

}  // namespace imgflo::http
