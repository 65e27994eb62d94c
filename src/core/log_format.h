// The log lines of imgflo-server, imgflo-worker and imgflo-process
// (IMGFLO_LOG_FORMAT): one line per event on stderr, either
//   text  2026-12-05T19:21:16.123Z [info] job graph=crop status=200 input="http://h/a b.jpg"
//   json  {"time":"2026-12-05T19:21:16.123Z","level":"info","message":"job","graph":"crop",...}
// Text is for a person at a terminal (the default there), JSON for a log
// collector (the default otherwise): one object per line, whatever bytes the
// message or a field holds (hostile paths included): control characters are
// escaped, invalid UTF-8 becomes U+FFFD in JSON and \xNN in text, so a line
// never breaks and always parses.
//
// set_up_logging() makes spdlog's default logger write these lines, so every
// spdlog::info(...) in the code base comes out in the chosen format; events
// with structured fields go through log_event(). Lines are written to stderr
// whole, one write(2) per line or batch, under one process-wide lock
// (write_log), so concurrent lines never interleave.
#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace imgflo {

enum class LogFormat { kText, kJson };

// "text" or "json"; nullopt for anything else.
std::optional<LogFormat> parse_log_format(std::string_view name);
// Text when stderr is a terminal, JSON otherwise.
LogFormat default_log_format();

// One structured value: a string (a VIEW: the text must outlive the call it
// is passed to), a signed or unsigned integer, a double (NaN/inf render as
// null in JSON) or a bool.
class LogValue {
 public:
  enum class Kind : uint8_t { kString, kInt, kUint, kDouble, kBool };
  LogValue(std::string_view s) : kind_(Kind::kString), s_(s) {}      // NOLINT: implicit by design
  LogValue(const char* s) : LogValue(std::string_view(s)) {}         // NOLINT
  LogValue(const std::string& s) : LogValue(std::string_view(s)) {}  // NOLINT
  LogValue(bool b) : kind_(Kind::kBool), b_(b) {}                    // NOLINT
  LogValue(double d) : kind_(Kind::kDouble), d_(d) {}                // NOLINT
  template <std::integral T>
  requires(!std::same_as<T, bool>) LogValue(T v) {  // NOLINT
    if constexpr (std::is_signed_v<T>) {
      kind_ = Kind::kInt;
      i_ = v;
    } else {
      kind_ = Kind::kUint;
      u_ = v;
    }
  }

  Kind kind() const { return kind_; }
  std::string_view string() const { return s_; }
  int64_t int_value() const { return i_; }
  uint64_t uint_value() const { return u_; }
  double double_value() const { return d_; }
  bool bool_value() const { return b_; }

 private:
  Kind kind_ = Kind::kString;
  std::string_view s_;
  int64_t i_ = 0;
  uint64_t u_ = 0;
  double d_ = 0;
  bool b_ = false;
};

// A named value. Names are identifiers chosen by the code ("graph",
// "duration_ms"), never "time", "level", "message" or "program".
struct LogField {
  std::string_view name;
  LogValue value;
};

// Installs the format on spdlog's default logger (a synchronous logger writing
// through write_log). `program`, when given, becomes the text line's prefix
// ("imgflo-process: warning: ...", for a command-line tool; no time) and a
// "program" member of JSON lines. Call once at start-up, before other threads
// log; the level stays the caller's (spdlog::set_level).
void set_up_logging(LogFormat format, std::string_view program = {});
// The installed format (text until set_up_logging is called).
LogFormat log_format();

// Logs `message` with `fields` at `level` through spdlog's default logger:
// JSON members or `name=value` pairs after the message. Before
// set_up_logging (unit tests), the pairs are appended to the message text.
// Never throws; thread-safe.
void log_event(spdlog::level::level_enum level, std::string_view message, std::span<const LogField> fields) noexcept;
void log_event(spdlog::level::level_enum level, std::string_view message,
               std::initializer_list<LogField> fields) noexcept;

// Appends one complete line (with '\n') in `format` to `out`. `program` as in
// set_up_logging. The building block of the logger and of batched writers
// (the HTTP access log).
void append_log_line(std::string& out, LogFormat format, spdlog::level::level_enum level,
                     std::chrono::system_clock::time_point time, std::string_view message,
                     std::span<const LogField> fields, std::string_view program = {});

// append_log_line in three parts, for a writer that keeps some fields
// preformatted (the access log): the head (time, level, message), fields
// (any number of calls, in order), the end (with '\n').
void append_log_head(std::string& out, LogFormat format, spdlog::level::level_enum level,
                     std::chrono::system_clock::time_point time, std::string_view message,
                     std::string_view program = {});
void append_log_fields(std::string& out, LogFormat format, std::span<const LogField> fields);
void append_log_end(std::string& out, LogFormat format);

// Appends the shortest decimal text that reads back as `v` (std::to_chars;
// doubles from 1e-6 to 1e16 in fixed notation): "42", "-7", "0.0005",
// "1e+100". For log lines and metrics.
void append_decimal(std::string& out, int64_t v);
void append_decimal(std::string& out, uint64_t v);
void append_decimal(std::string& out, double v);

// Writes complete lines to stderr in as few write(2) calls as it can, under
// the process-wide lock every log line takes. A write error drops the rest.
void write_log(std::string_view lines) noexcept;

}  // namespace imgflo
