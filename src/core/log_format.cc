#include "core/log_format.h"

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <ctime>
#include <memory>
#include <mutex>

#include "core/text.h"

namespace imgflo {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_hex_byte(std::string& out, const char* prefix, unsigned char c) {
  out += prefix;
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// How a string is escaped: JSON (quote and backslash escaped, controls as
// \u00NN, broken UTF-8 as U+FFFD) or text (quote and backslash only inside
// quotes, controls and broken UTF-8 bytes as \xNN); both write \n \r \t.
enum class Escape { kJson, kTextQuoted, kTextBare };

// Printable ASCII other than the quote and backslash: copied as it is (a table: one load per byte).
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x7f; ++c) t[static_cast<size_t>(c)] = c != '"' && c != '\\';
  return t;
}();
bool plain(unsigned char c) { return kPlain[c]; }

// The length of a well-formed UTF-8 sequence at the start of `s` (lead byte >= 0x80), or 0.
size_t utf8_length(std::string_view s) {
  const auto lead = static_cast<unsigned char>(s[0]);
  const size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  return n <= s.size() && first_invalid_utf8(s.substr(0, n)) == std::string_view::npos ? n : 0;
}

void append_escaped(std::string& out, std::string_view s, Escape how) {
  const bool json = how == Escape::kJson;
  size_t i = 0;
  while (i < s.size()) {
    size_t run = i;
    while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) ++run;
    out.append(s.substr(i, run - i));
    if (run == s.size()) return;
    i = run;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = utf8_length(s.substr(i));
      if (n > 0) {
        out.append(s.substr(i, n));
      } else if (json) {
        out += "\\ufffd";
      } else {
        append_hex_byte(out, "\\x", c);
      }
      i += std::max<size_t>(n, 1);
      continue;
    }
    if (c == '"' || c == '\\') {
      if (how != Escape::kTextBare) out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      append_hex_byte(out, json ? "\\u00" : "\\x", c);  // other controls and DEL
    }
    ++i;
  }
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  append_escaped(out, s, Escape::kJson);
  out += '"';
}

// A text value is written bare when it is printable ASCII without space, quote, '=' or backslash.
bool bare_text(std::string_view s) {
  if (s.empty()) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '=' || c == '\\') return false;
  }
  return true;
}

void append_value(std::string& out, LogFormat format, const LogValue& v) {
  switch (v.kind()) {
    case LogValue::Kind::kString:
      if (format == LogFormat::kJson) return append_json_string(out, v.string());
      if (bare_text(v.string())) {
        out += v.string();
        return;
      }
      out += '"';
      append_escaped(out, v.string(), Escape::kTextQuoted);
      out += '"';
      return;
    case LogValue::Kind::kInt:
      return append_decimal(out, v.int_value());
    case LogValue::Kind::kUint:
      return append_decimal(out, v.uint_value());
    case LogValue::Kind::kDouble:
      if (!std::isfinite(v.double_value())) {
        out += format == LogFormat::kJson ? "null" : "nan";
        return;
      }
      return append_decimal(out, v.double_value());
    case LogValue::Kind::kBool:
      out += v.bool_value() ? "true" : "false";
      return;
  }
}

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warning";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

// "2026-12-05T19:21:16.123Z"; the part up to the seconds is cached per thread.
void append_time(std::string& out, std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  thread_local time_t cached_second = -1;
  thread_local char cached[24];
  const auto ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
  const time_t second = static_cast<time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  if (second != cached_second) {
    std::tm tm{};
    gmtime_r(&second, &tm);
    std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S.", &tm);
    cached_second = second;
  }
  out += cached;
  const int milli = static_cast<int>(((ms % 1000) + 1000) % 1000);
  out += static_cast<char>('0' + milli / 100);
  out += static_cast<char>('0' + milli / 10 % 10);
  out += static_cast<char>('0' + milli % 10);
  out += 'Z';
}

void append_text_fields(std::string& out, std::span<const LogField> fields) {
  for (const auto& f : fields) {
    out += ' ';
    out += f.name;
    out += '=';
    append_value(out, LogFormat::kText, f.value);
  }
}

// What the process logs with (set once by set_up_logging).
std::atomic<LogFormat> g_format{LogFormat::kText};
std::atomic<bool> g_installed{false};

// The event being logged by this thread (log_event -> the sink, synchronously).
struct Event {
  std::string_view message;
  std::span<const LogField> fields;
};
thread_local const Event* t_event = nullptr;

class LineSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  LineSink(LogFormat format, std::string program) : format_(format), program_(std::move(program)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    thread_local std::string line;
    line.clear();
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    // Fields only for the message log_event passed (the same bytes, not a copy).
    const bool event = t_event && t_event->message.data() == payload.data();
    append_log_line(line, format_, msg.level, msg.time, payload, event ? t_event->fields : std::span<const LogField>(),
                    program_);
    write_log(line);
    if (line.capacity() > 64 * 1024) std::string().swap(line);
  }
  void flush_() override {}

 private:
  const LogFormat format_;
  const std::string program_;
};

template <typename T>
void append_chars(std::string& out, T v) {
  char buf[32];  // the longest double ("-2.2250738585072014e-308") and any 64-bit integer fit
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

void append_decimal(std::string& out, int64_t v) { append_chars(out, v); }
void append_decimal(std::string& out, uint64_t v) { append_chars(out, v); }
void append_decimal(std::string& out, double v) {
  const double magnitude = std::fabs(v);
  // Whole thousandths (durations in ms from microseconds): integer digits, no to_chars.
  const double thousandths = std::round(v * 1000);
  if (magnitude < 1e12 && thousandths / 1000 == v) {
    const auto t = static_cast<int64_t>(thousandths);
    if (t < 0) out += '-';
    const uint64_t a = static_cast<uint64_t>(t < 0 ? -t : t);
    append_chars(out, a / 1000);
    if (const uint64_t frac = a % 1000; frac != 0) {
      out += '.';
      out += static_cast<char>('0' + frac / 100);
      if (frac % 100 != 0) out += static_cast<char>('0' + frac / 10 % 10);
      if (frac % 10 != 0) out += static_cast<char>('0' + frac % 10);
    }
    return;
  }
  if (!(magnitude >= 1e-6 && magnitude < 1e16)) return append_chars(out, v);  // 0, tiny, huge, NaN: shortest
  char buf[40];  // fixed notation of the shortest round-trip digits: "0.0005", not "5e-04"
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  out.append(buf, r.ptr);
}

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return std::nullopt;
}

LogFormat default_log_format() { return ::isatty(STDERR_FILENO) ? LogFormat::kText : LogFormat::kJson; }

void set_up_logging(LogFormat format, std::string_view program) {
  auto sink = std::make_shared<LineSink>(format, std::string(program));
  auto logger = std::make_shared<spdlog::logger>("", std::move(sink));
  logger->set_level(spdlog::default_logger_raw()->level());
  spdlog::set_default_logger(std::move(logger));
  g_format.store(format, std::memory_order_relaxed);
  g_installed.store(true, std::memory_order_release);
}

LogFormat log_format() { return g_format.load(std::memory_order_relaxed); }

void append_log_head(std::string& out, LogFormat format, spdlog::level::level_enum level,
                     std::chrono::system_clock::time_point time, std::string_view message, std::string_view program) {
  if (format == LogFormat::kText) {
    if (program.empty()) {
      append_time(out, time);
      ((out += " [") += level_name(level)) += "] ";
    } else {
      ((((out += program) += ": ") += level_name(level)) += ": ");
    }
    append_escaped(out, message, Escape::kTextBare);
    return;
  }
  out += "{\"time\":\"";
  append_time(out, time);
  ((out += "\",\"level\":\"") += level_name(level)) += '"';
  if (!program.empty()) {
    out += ",\"program\":";
    append_json_string(out, program);
  }
  out += ",\"message\":";
  append_json_string(out, message);
}

void append_log_fields(std::string& out, LogFormat format, std::span<const LogField> fields) {
  if (format == LogFormat::kText) return append_text_fields(out, fields);
  for (const auto& f : fields) {
    out += ',';
    append_json_string(out, f.name);
    out += ':';
    append_value(out, LogFormat::kJson, f.value);
  }
}

void append_log_end(std::string& out, LogFormat format) { out += format == LogFormat::kText ? "\n" : "}\n"; }

void append_log_line(std::string& out, LogFormat format, spdlog::level::level_enum level,
                     std::chrono::system_clock::time_point time, std::string_view message,
                     std::span<const LogField> fields, std::string_view program) {
  append_log_head(out, format, level, time, message, program);
  append_log_fields(out, format, fields);
  append_log_end(out, format);
}

void log_event(spdlog::level::level_enum level, std::string_view message, std::span<const LogField> fields) noexcept {
  try {
    spdlog::logger* logger = spdlog::default_logger_raw();
    if (!logger->should_log(level)) return;
    if (!g_installed.load(std::memory_order_acquire)) {
      std::string text(message);
      append_text_fields(text, fields);
      logger->log(level, spdlog::string_view_t(text.data(), text.size()));
      return;
    }
    const Event event{message, fields};
    t_event = &event;
    logger->log(level, spdlog::string_view_t(message.data(), message.size()));
    t_event = nullptr;
  } catch (...) {  // logging never fails the caller (spdlog reports its own errors)
    t_event = nullptr;
  }
}

void log_event(spdlog::level::level_enum level, std::string_view message,
               std::initializer_list<LogField> fields) noexcept {
  log_event(level, message, std::span<const LogField>(fields.begin(), fields.size()));
}

void write_log(std::string_view lines) noexcept {
  static std::mutex mu;
  std::lock_guard lock(mu);
  while (!lines.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, lines.data(), lines.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    lines.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace imgflo
