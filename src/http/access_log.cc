#include "http/access_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

#include "core/log_format.h"
#include "http/request_target.h"

namespace imgflo::http {

AccessLog::AccessLog(size_t loops, bool enabled, Writer writer)
    : enabled_(enabled),
      writer_(writer ? std::move(writer) : Writer(write_log)),
      buffers_(std::max<size_t>(1, loops)) {}

AccessLog::~AccessLog() { flush_all(); }

namespace {

// The fields of an access line that depend only on the request and its answer.
void append_fixed_fields(std::string& out, LogFormat format, const AccessRecord& r) {
  thread_local std::string path;
  path.clear();
  append_redacted_target(path, r.target);
  const LogField fields[] = {{"method", r.method.empty() ? std::string_view("-") : r.method},
                             {"path", path},
                             {"route", route_name(route_of(r.target))},
                             {"status", r.status},
                             {"cache", cache_outcome_name(r.cache)},
                             {"bytes", r.bytes},
                             {"app", app_key_of(r.target)}};
  append_log_fields(out, format, fields);
}

}  // namespace

const std::string& AccessLog::hot_fields(Buffer& buffer, LogFormat format, const AccessRecord& r) {
  if (buffer.hot.empty()) buffer.hot.resize(kHotSlots);
  HotFields& slot = buffer.hot[std::hash<std::string_view>{}(r.target) % kHotSlots];
  if (slot.fields.empty() || slot.format != format || slot.target != r.target) {
    slot.target.assign(r.target);
    slot.format = format;
    slot.fields.clear();
    append_fixed_fields(slot.fields, format, r);
  }
  return slot.fields;
}

bool AccessLog::append(size_t loop, const AccessRecord& r) {
  if (!enabled_ || !spdlog::default_logger_raw()->should_log(spdlog::level::info)) return false;
  Buffer& buffer = buffers_[loop % buffers_.size()];
  std::string& text = buffer.text;
  const bool was_empty = text.empty();
  const LogFormat format = log_format();
  append_log_head(text, format, spdlog::level::info, std::chrono::system_clock::now(), "access");
  // Hot-path answers (GET, 301, no body) differ only in their target: its fields are kept formatted.
  if (r.cache == CacheOutcome::kHot) {
    text += hot_fields(buffer, format, r);
  } else {
    append_fixed_fields(text, format, r);
  }
  const double ms = static_cast<double>(r.latency.count() / 1000) / 1000.0;  // whole microseconds
  const LogField timing[] = {{"duration_ms", ms}, {"request_id", r.request_id}};
  append_log_fields(text, format, timing);
  append_log_end(text, format);
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
