#include "jobs/job.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>

namespace imgflo::jobs {

std::string new_job_id() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}() ^ (static_cast<uint64_t>(std::random_device{}()) << 32);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx-%08llx", static_cast<unsigned long long>(salt),
                static_cast<unsigned long long>(counter.fetch_add(1)));
  return buf;
}

nlohmann::json to_json(const Job& job) {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& [k, v] : job.params) params.push_back({k, v});
  return {{"id", job.id},
          {"key", job.key},
          {"graph", job.graph},
          {"out_type", job.out_type},
          {"params", params},
          {"input", job.input ? nlohmann::json(*job.input) : nlohmann::json(nullptr)},
          {"nocache", job.nocache},
          {"urgency", job.urgency == Urgency::kUrgent ? "urgent" : "background"},
          {"depth", job.depth},
          {"deadline_ms", job.deadline_ms}};
}

Result<Job> job_from_json(const nlohmann::json& j) {
  try {
    Job job;
    job.id = j.at("id").get<std::string>();
    job.key = j.at("key").get<std::string>();
    job.graph = j.at("graph").get<std::string>();
    job.out_type = j.at("out_type").get<std::string>();
    for (const auto& p : j.at("params")) job.params.emplace_back(p.at(0).get<std::string>(), p.at(1).get<std::string>());
    if (!j.at("input").is_null()) job.input = j.at("input").get<std::string>();
    job.nocache = j.at("nocache").get<bool>();
    job.urgency = j.at("urgency").get<std::string>() == "background" ? Urgency::kBackground : Urgency::kUrgent;
    job.depth = j.at("depth").get<int>();
    job.deadline_ms = j.at("deadline_ms").get<int64_t>();
    return job;
  } catch (const nlohmann::json::exception& e) {
    return Error(ErrorKind::kInvalidArgument, std::string("malformed job message: ") + e.what());
  }
}

nlohmann::json to_json(const JobOutcome& outcome) {
  nlohmann::json j = {{"id", outcome.id}, {"key", outcome.key}};
  if (outcome.location.ok()) {
    j["results"] = {{"url", *outcome.location}};
  } else {
    const Error& e = outcome.location.error();
    j["error"] = {{"type", std::string(kind_name(e.kind()))}, {"message", e.message()}, {"details", e.details()}};
  }
  return j;
}

Result<JobOutcome> outcome_from_json(const nlohmann::json& j) {
  try {
    JobOutcome o{j.at("id").get<std::string>(), j.at("key").get<std::string>(), std::string()};
    if (j.contains("results")) {
      o.location = j.at("results").at("url").get<std::string>();
      return o;
    }
    const auto& e = j.at("error");
    const auto kind = kind_from_name(e.at("type").get<std::string>()).value_or(ErrorKind::kInternal);
    o.location = Error(kind, e.at("message").get<std::string>(), e.value("details", nlohmann::json(nullptr)));
    return o;
  } catch (const nlohmann::json::exception& e) {
    return Error(ErrorKind::kInvalidArgument, std::string("malformed job result message: ") + e.what());
  }
}

int64_t now_epoch_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Deadline deadline_from_epoch_ms(int64_t epoch_ms) {
  if (epoch_ms <= 0) return Deadline::never();
  return Deadline::after(std::chrono::milliseconds(epoch_ms - now_epoch_ms()));
}

}  // namespace imgflo::jobs
