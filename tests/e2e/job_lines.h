// The job outcome lines (jobs/job_report.h) of a process's JSON log
// (IMGFLO_LOG_FORMAT=json, core/log_format.h), parsed.
#pragma once

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace imgflo::test {

// Every line of `log` that is a JSON object with "message": "job".
inline std::vector<nlohmann::json> job_lines(const std::string& log) {
  std::vector<nlohmann::json> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("message", "") == "job") out.push_back(std::move(j));
  }
  return out;
}

}  // namespace imgflo::test
