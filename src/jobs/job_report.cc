#include "jobs/job_report.h"

#include "core/log_format.h"
#include "core/text.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace imgflo::jobs {

namespace {

// Errors whose message may carry internals: only their public form is logged here.
bool internal_kind(ErrorKind k) {
  return k == ErrorKind::kInternal || k == ErrorKind::kProcessingFailed || k == ErrorKind::kGraphInvalid;
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '[' ||
         c == ']' || c == '_';
}

// The authority of an http(s) URL without user info, lower case; "invalid" when odd.
std::string url_host(std::string_view rest) {
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#\\"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string host = ascii_lower(authority);
  if (host.empty() || host.size() > 262 || !std::all_of(host.begin(), host.end(), host_char)) return "invalid";
  return host;
}

// `message` with each of the job's input references replaced by its short form.
std::string redact_refs(std::string message, const Job& job) {
  auto redact = [&message](const std::string& ref) {
    if (ref.empty()) return;
    const std::string host = input_host(ref);
    const std::string shown = ref.starts_with("files/") || ref.starts_with("graph/") ? host + "/..." : host;
    for (size_t at = message.find(ref); at != std::string::npos; at = message.find(ref, at + shown.size())) {
      message.replace(at, ref.size(), shown);
    }
  };
  if (job.input) redact(*job.input);
  for (const auto& [name, ref] : job.images) redact(ref);
  return message;
}

void add_ms(nlohmann::json& fields, const char* name, const std::optional<double>& seconds) {
  if (seconds) fields[name] = std::round(*seconds * 1e6) / 1e3;  // milliseconds, microsecond precision
}

}  // namespace

std::string_view outcome_name(const JobReport& report, const Result<std::string>& result) {
  if (!result.ok()) return kind_name(result.error().kind());
  return report.ran ? "ok" : "cached";
}

std::string input_host(std::string_view ref) {
  if (ref.empty()) return "";
  if (ref.starts_with("files/")) return "files";
  if (ref.starts_with("graph/")) return "graph";
  const std::string lower = ascii_lower(ref.substr(0, 8));
  if (lower.starts_with("http://")) return url_host(ref.substr(7));
  if (lower.starts_with("https://")) return url_host(ref.substr(8));
  return "invalid";
}

nlohmann::json job_outcome_fields(const Job& job, const JobReport& report, const Result<std::string>& result) {
  nlohmann::json f = {{"job_id", job.id},
                      {"request_id", job.request_id},
                      {"graph", job.graph},
                      {"key", job.key},
                      {"lane", std::string(lane_name(job.lane))},
                      {"input_host", input_host(job.input.value_or(""))},
                      {"outcome", std::string(outcome_name(report, result))},
                      {"status", result.ok() ? 200 : result.error().status()},
                      {"input_bytes", report.input_bytes},
                      {"input_pixels", report.input_pixels},
                      {"output_bytes", report.output_bytes},
                      {"output_pixels", report.output_pixels}};
  if (!result.ok()) {
    const Error& e = result.error();
    const bool has_id = e.details().is_object() && e.details().contains("error_id");
    f["error"] = internal_kind(e.kind()) && !has_id ? "the image could not be processed" : redact_refs(e.message(), job);
    if (has_id) f["error_id"] = e.details()["error_id"];
  }
  add_ms(f, "queue_ms", report.queue_wait);
  add_ms(f, "fetch_ms", report.fetch);
  add_ms(f, "memory_wait_ms", report.memory_wait);
  add_ms(f, "process_ms", report.process);
  add_ms(f, "store_ms", report.store);
  return f;
}

void log_job_outcome(const Job& job, const JobReport& report, const Result<std::string>& result) {
  log_job_outcome(job_outcome_fields(job, report, result), result);
}

void log_job_outcome(const nlohmann::json& fields, const Result<std::string>& result) {
  std::vector<LogField> line;
  line.reserve(fields.size());
  for (const auto& [name, value] : fields.items()) {
    if (value.is_string()) line.push_back({name, LogValue(value.get_ref<const std::string&>())});
    else if (value.is_number_unsigned()) line.push_back({name, LogValue(value.get<uint64_t>())});
    else if (value.is_number_integer()) line.push_back({name, LogValue(value.get<int64_t>())});
    else if (value.is_number()) line.push_back({name, LogValue(value.get<double>())});
  }
  const bool quiet = result.ok() || result.error().kind() == ErrorKind::kCancelled ||
                     result.error().kind() == ErrorKind::kVideoLane;  // moved on, not failed
  log_event(quiet ? spdlog::level::info : spdlog::level::warn, "job", line);
}

}  // namespace imgflo::jobs
