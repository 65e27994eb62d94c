// A unit of processing work: one graph run whose result is stored under a key.
//
// Jobs are plain values: they travel through the in-process queue and, in the
// distributed mode, as JSON over the broker (to_json/job_from_json).
#pragma once

#include "core/deadline.h"
#include "core/error.h"
#include "request/graph_request.h"
#include "request/params.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace imgflo::jobs {

enum class Urgency { kUrgent, kBackground };

// Where a job runs. Videos take seconds to minutes, so they have their own
// lane (their own pool in-process, their own queue and worker role with a
// broker, their own deadline): an image never waits behind a video. A job is
// a video job when its input is a video; the frontend routes it there up
// front when the URL says so (lane_for), otherwise the processor finds out
// once the input is fetched and answers kVideoLane, and the job system moves
// the job (move_to_video_lane). A video-lane job always runs where it is.
enum class Lane { kImage, kVideo };
std::string_view lane_name(Lane lane);  // "image", "video"

struct Job {
  std::string id;        // unique per submission (logs, broker correlation)
  std::string key;       // cache key, "<sha1>.<ext>"
  std::string graph;     // catalogue name
  std::string out_type;  // "jpg", "png", "" (noop)
  request::Params params;
  std::optional<std::string> input;  // as given: http(s) URL, files/NAME, graph/...
  request::ImageRefs images;         // named image inputs besides "input", references as given
  bool nocache = false;  // reprocess even when a result exists
  Urgency urgency = Urgency::kUrgent;
  Lane lane = Lane::kImage;
  int depth = 0;            // nesting level of chained graph/... inputs
  int64_t deadline_ms = 0;  // unix epoch milliseconds after which the work is pointless (0 = none)
  // The deadline_ms the job gets if it moves to the video lane (0 = keep deadline_ms).
  int64_t video_deadline_ms = 0;
  int64_t submitted_us = 0; // unix epoch microseconds when it was made (queue wait); 0 = unknown
  // X-Request-Id of the HTTP request that submitted the job ("" = none: a
  // chained input, a test); for joining log lines, never for decisions.
  std::string request_id;
};

// True for a request id a job may carry: 1 to kMaxRequestIdSize characters of
// [A-Za-z0-9._-] (what the frontend keeps of an X-Request-Id, http/request_id.h).
inline constexpr size_t kMaxRequestIdSize = 128;
bool valid_request_id(std::string_view id);

std::string new_job_id();
// A job (new id, submitted now) for a parsed request: key, graph, type,
// parameters, input and named image inputs (take_image_inputs() already
// applied). nocache, urgency, depth, deadline and request id are left at their
// defaults for the caller.
Job job_from_request(request::GraphRequest&& r);
// The lane the request's URL asks for: kVideo when the output is a video
// type (mp4) or a video-only parameter (video_bitrate, video_framerate) is
// given; otherwise kImage (the input may still turn out to be a video).
Lane lane_for(const Job& job);
// `job` moved to the video lane: lane kVideo, deadline_ms = video_deadline_ms when set.
Job to_video_lane(Job job);

// The broker message. "lane" and "video_deadline_ms" are absent in messages
// from older frontends (image lane, no video deadline then). "submitted_us" and "request_id" are absent in messages
// from older frontends (0 and "" then); a request id that is not
// valid_request_id() makes the message malformed, and to_json() leaves out
// an invalid one.
nlohmann::json to_json(const Job& job);
Result<Job> job_from_json(const nlohmann::json& j);

// What a worker reports for a job (the MsgFlo "jobresult" message): the
// stored result's location, or the error (kind, message and details survive
// the trip; the frontend answers its waiters with them).
struct JobOutcome {
  std::string id;
  std::string key;
  Result<std::string> location;
};
// {"id", "key", "results": {"url": location}} or {"id", "key", "error": {...}}
nlohmann::json to_json(const JobOutcome& outcome);
Result<JobOutcome> outcome_from_json(const nlohmann::json& j);

// The longest a job may run, whatever deadline its message carries (the
// frontend's longest budget, a POST's, is 300 s by default).
inline constexpr std::chrono::milliseconds kMaxJobBudget{3'600'000};

// Milliseconds since the unix epoch (wall clock), and a Deadline for an epoch
// time (never for <= 0; at most kMaxJobBudget from now; expired when past).
int64_t now_epoch_ms();
int64_t now_epoch_us();
Deadline deadline_from_epoch_ms(int64_t epoch_ms);

}  // namespace imgflo::jobs
