// What one job did, as the Processor measured it: its phases' durations and
// its sizes; read for the job's outcome line (one log line per job) and the
// job metrics (jobs/job_metrics.h).
//
// The outcome line never carries an input's full reference: only its host
// (http(s) URLs without user info, port kept; "files" and "graph" for the
// other kinds of input), and error messages have every input reference of the
// job replaced by that short form, so credentials and query strings in input
// URLs stay out of the logs. Internal errors (500s) appear with their public
// message and error id only.
#pragma once

#include "core/error.h"
#include "jobs/job.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace imgflo::jobs {

struct JobReport {
  // Seconds each phase took; nullopt for a phase the job never entered.
  std::optional<double> queue_wait;   // submission (Job::submitted_us) to the start of processing
  std::optional<double> fetch;        // every input resolved (chained graph inputs processed inline included)
  std::optional<double> memory_wait;  // waiting for the memory budget (jobs/memory_budget.h)
  std::optional<double> process;      // the graph's run: decode, ops, encode
  std::optional<double> store;        // result stored and indexed
  uint64_t input_bytes = 0;           // every image input's bytes
  uint64_t input_pixels = 0;          // the main input's upright width x height (0: none or unknown)
  uint64_t output_bytes = 0;
  uint64_t output_pixels = 0;         // the result's width x height (0: not an image, or unknown)
  bool ran = false;                   // the graph ran here (not answered with a stored result)
};

// The job's outcome as a label: "ok" (ran and stored), "cached" (answered
// with a result stored earlier or by another worker), else the error's
// kind_name(). A fixed, small set.
std::string_view outcome_name(const JobReport& report, const Result<std::string>& result);

// The host[:port] of an input reference ("https://user:pw@Example.com:8080/a?b"
// -> "example.com:8080"); "files" and "graph" for files/NAME and graph/...;
// "" for an empty reference and "invalid" for anything else.
std::string input_host(std::string_view ref);

// The fields of the outcome line (message "job"): job_id, request_id, graph, key,
// input_host, outcome, status (200 or the error's HTTP status), error (public
// message, on failure), error_id (when the error has one), the sizes, and
// queue_ms, fetch_ms, memory_wait_ms, process_ms, store_ms for the phases entered.
nlohmann::json job_outcome_fields(const Job& job, const JobReport& report, const Result<std::string>& result);

// Writes the outcome line through core/log_format.h's log_event (info for
// successes and cancellations, warning for failures).
void log_job_outcome(const Job& job, const JobReport& report, const Result<std::string>& result);
// The same with the fields job_outcome_fields() made for `result`.
void log_job_outcome(const nlohmann::json& fields, const Result<std::string>& result);

}  // namespace imgflo::jobs
