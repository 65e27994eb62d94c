#include "jobs/job.h"

#include "core/guard.h"
#include "jobs/job_system.h"
#include "runtime/video/video_pipeline.h"
#include "storage/storage.h"

#include <cstdint>
#include <stdexcept>

#include <algorithm>
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

Job job_from_request(request::GraphRequest&& r) {
  Job job;
  job.id = new_job_id();
  job.key = std::move(r.cache_key);
  job.graph = std::move(r.graph);
  job.out_type = std::move(r.out_type);
  job.params = std::move(r.params);
  job.input = std::move(r.input);
  job.images = std::move(r.images);
  job.submitted_us = now_epoch_us();
  return job;
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdSize) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

namespace {

nlohmann::json pairs_json(const request::Params& pairs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [k, v] : pairs) out.push_back({k, v});
  return out;
}

request::Params pairs_member(const nlohmann::json& j) {
  request::Params out;
  for (const auto& p : j) out.emplace_back(p.at(0).get<std::string>(), p.at(1).get<std::string>());
  return out;
}

}  // namespace

std::string_view lane_name(Lane lane) { return lane == Lane::kVideo ? "video" : "image"; }

Lane lane_for(const Job& job) {
  if (runtime::video::is_video_output(job.out_type)) return Lane::kVideo;
  for (const auto& [name, value] : job.params) {
    if (name == "video_bitrate" || name == "video_framerate") return Lane::kVideo;
  }
  return Lane::kImage;
}

Job to_video_lane(Job job) {
  job.lane = Lane::kVideo;
  if (job.video_deadline_ms > 0) job.deadline_ms = job.video_deadline_ms;
  return job;
}

nlohmann::json to_json(const Job& job) {
  return {{"id", job.id},
          {"key", job.key},
          {"graph", job.graph},
          {"out_type", job.out_type},
          {"params", pairs_json(job.params)},
          {"input", job.input ? nlohmann::json(*job.input) : nlohmann::json(nullptr)},
          {"images", pairs_json(job.images)},
          {"nocache", job.nocache},
          {"urgency", job.urgency == Urgency::kUrgent ? "urgent" : "background"},
          {"lane", std::string(lane_name(job.lane))},
          {"video_deadline_ms", job.video_deadline_ms},
          {"depth", job.depth},
          {"deadline_ms", job.deadline_ms},
          {"submitted_us", job.submitted_us},
          {"request_id", valid_request_id(job.request_id) ? job.request_id : std::string()}};
}

namespace {

// An integer member within [lo, hi]; anything else (floats, strings, out of
// range) is a malformed message (a float cast out of range would be UB).
int64_t integer_member(const nlohmann::json& j, const char* name, int64_t lo, int64_t hi) {
  const auto& v = j.at(name);
  if (!v.is_number_integer()) throw std::invalid_argument(std::string(name) + " is not an integer");
  const int64_t n = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                        ? INT64_MAX
                        : v.get<int64_t>();
  if (n < lo || n > hi) throw std::invalid_argument(std::string(name) + " is out of range");
  return n;
}

// A cache key as storage accepts it (no key names a path outside the store).
std::string key_member(const nlohmann::json& j) {
  std::string key = j.at("key").get<std::string>();
  if (!storage::valid_key(key)) throw std::invalid_argument("key is not a cache key");
  return key;
}

// A result location: an absolute http(s) URL or a server path.
std::string location_member(const nlohmann::json& j) {
  std::string url = j.at("url").get<std::string>();
  const bool shaped = url.starts_with("http://") || url.starts_with("https://") || url.starts_with("/");
  if (!shaped || url.size() > 4096) throw std::invalid_argument("results.url is not a URL");
  return url;
}

// "" (none) or a valid_request_id().
std::string request_id_member(const nlohmann::json& j) {
  std::string id = j.at("request_id").get<std::string>();
  if (!id.empty() && !valid_request_id(id)) throw std::invalid_argument("request_id is not a request id");
  return id;
}

}  // namespace

Result<Job> job_from_json(const nlohmann::json& j) {
  try {
    Job job;
    job.id = j.at("id").get<std::string>();
    job.key = key_member(j);
    job.graph = j.at("graph").get<std::string>();
    job.out_type = j.at("out_type").get<std::string>();
    job.params = pairs_member(j.at("params"));
    if (!j.at("input").is_null()) job.input = j.at("input").get<std::string>();
    // Absent in messages from frontends older than named image inputs.
    if (j.contains("images")) job.images = pairs_member(j.at("images"));
    job.nocache = j.at("nocache").get<bool>();
    job.urgency = j.at("urgency").get<std::string>() == "background" ? Urgency::kBackground : Urgency::kUrgent;
    if (j.contains("lane")) job.lane = j.at("lane").get<std::string>() == "video" ? Lane::kVideo : Lane::kImage;
    if (j.contains("video_deadline_ms")) job.video_deadline_ms = integer_member(j, "video_deadline_ms", 0, INT64_MAX);
    job.depth = static_cast<int>(integer_member(j, "depth", 0, 1000));
    job.deadline_ms = integer_member(j, "deadline_ms", 0, INT64_MAX);
    // Absent in messages from frontends older than job metrics and request ids.
    if (j.contains("submitted_us")) job.submitted_us = integer_member(j, "submitted_us", 0, INT64_MAX);
    if (j.contains("request_id")) job.request_id = request_id_member(j);
    return job;
  } catch (const std::exception& e) {
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
    JobOutcome o{j.at("id").get<std::string>(), key_member(j), std::string()};
    if (j.contains("results")) {
      o.location = location_member(j.at("results"));
      return o;
    }
    const auto& e = j.at("error");
    const auto kind = kind_from_name(e.at("type").get<std::string>()).value_or(ErrorKind::kInternal);
    o.location = Error(kind, e.at("message").get<std::string>(), e.value("details", nlohmann::json(nullptr)));
    return o;
  } catch (const std::exception& e) {
    return Error(ErrorKind::kInvalidArgument, std::string("malformed job result message: ") + e.what());
  }
}

void deliver(const JobCallback& done, const Result<std::string>& result) noexcept {
  (void)run_guarded("job callback", [&] { done(result); });
}

int64_t now_epoch_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t now_epoch_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

Deadline deadline_from_epoch_ms(int64_t epoch_ms) {
  if (epoch_ms <= 0) return Deadline::never();
  // Clamped before any unit conversion (ms -> ns of a huge value overflows), and
  // bounded: a message cannot buy a job more than kMaxJobBudget.
  const int64_t left = epoch_ms - std::min(epoch_ms, now_epoch_ms());
  return Deadline::after(std::chrono::milliseconds(std::min<int64_t>(left, kMaxJobBudget.count())));
}

}  // namespace imgflo::jobs
