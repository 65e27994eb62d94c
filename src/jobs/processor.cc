#include "jobs/processor.h"

#include "core/guard.h"

#include "request/graph_request.h"
#include "runtime/codec.h"
#include "runtime/video/video_pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <future>

namespace imgflo::jobs {

namespace {

// The original answered any input it could not fetch (bad scheme included) with 504.
Error as_download_failure(Error e, const std::string& src) {
  if (e.kind() != ErrorKind::kInvalidArgument) return e;
  return Error(ErrorKind::kDownloadFailed, "Failed to download input " + src + ": " + e.message(),
               fetch::input_details(src));
}

using SteadyClock = std::chrono::steady_clock;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// Width x height of an encoded image from its header; 0 when it is not one (JSON results).
uint64_t pixels_of(std::string_view bytes) {
  try {
    auto size = runtime::probe(bytes);
    return size.ok() ? static_cast<uint64_t>(size->width) * static_cast<uint64_t>(size->height) : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

// Seconds from the job's submission until now (never negative: another host's clock may be ahead).
std::optional<double> queue_wait(const Job& job) {
  if (job.submitted_us <= 0) return std::nullopt;
  return static_cast<double>(std::max<int64_t>(0, now_epoch_us() - job.submitted_us)) / 1e6;
}

}  // namespace

Processor::Processor(const runtime::Catalogue& catalogue, fetch::Fetcher& inputs, storage::Storage& storage,
                     cache::CacheIndex& index, const request::Authenticator& auth, ProcessorOptions options,
                     cache::InflightMarkers* inflight)
    : catalogue_(catalogue),
      inputs_(inputs),
      storage_(storage),
      index_(index),
      auth_(auth),
      options_(options),
      inflight_(inflight),
      memory_(options.memory_limit),
      metrics_(catalogue.names()) {}

Result<std::string> Processor::process(const Job& job, const Stop& stop) {
  JobReport report;
  report.queue_wait = queue_wait(job);
  auto produced = produce(job, stop, report);
  Result<std::string> result = produced.ok() ? Result<std::string>(std::move(produced->location))
                                             : Result<std::string>(produced.take_error());
  metrics_.record(job.graph, report, outcome_name(report, result));
  nlohmann::json fields = job_outcome_fields(job, report, result);
  log_job_outcome(fields, result);
  metrics_.recent().add(job.key, std::move(fields));
  return result;
}

std::optional<std::string> Processor::cached_location(const std::string& key) {
  std::promise<Result<std::optional<std::string>>> answer;
  auto future = answer.get_future();
  index_.get(key, [&answer](Result<std::optional<std::string>> r) { answer.set_value(std::move(r)); });
  auto r = future.get();
  if (!r.ok()) return std::nullopt;  // an unreachable index is a miss
  return *r;
}

Result<Processor::Produced> Processor::produce(const Job& job, const Stop& stop, JobReport& report) {
  if (!job.nocache) {
    // The request may have been satisfied while this job waited in a queue.
    if (auto hit = cached_location(job.key)) return Produced{*hit, {}};
  }
  if (!inflight_ || job.nocache) return run_graph(job, stop, report);
  const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::min<Clock::duration>(stop.deadline.remaining(), std::chrono::minutes(10)) + std::chrono::seconds(5));
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto claim = inflight_->try_claim_wait(job.key, job.id, ttl);
    if (!claim.ok()) break;  // markers unreachable: run it (duplicate work at worst)
    if (claim->claimed) {
      auto produced = run_graph(job, stop, report);
      const std::string message = produced.ok() ? "ok " + produced->location : "failed";
      (void)inflight_->release_wait(job.key, job.id, message);
      return produced;
    }
    if (auto location = wait_for_owner(job.key, stop)) return Produced{*location, {}};
    if (auto e = stop.check()) return *e;
  }
  return run_graph(job, stop, report);
}

std::optional<std::string> Processor::wait_for_owner(const std::string& key, const Stop& stop) {
  auto end = std::make_shared<std::promise<Result<cache::InflightEnd>>>();
  auto future = end->get_future();
  const uint64_t id = inflight_->watch(key, [end](Result<cache::InflightEnd> r) { end->set_value(std::move(r)); });
  while (future.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    if (stop.requested()) {
      inflight_->unwatch(id);
      return std::nullopt;
    }
  }
  auto r = future.get();
  if (r.ok() && r->how == cache::InflightEnd::How::kReleased && r->message.rfind("ok ", 0) == 0) {
    return r->message.substr(3);
  }
  return cached_location(key);  // abandoned or failed: maybe stored anyway, else the caller runs it
}

Result<Processor::Produced> Processor::run_graph(const Job& job, const Stop& stop, JobReport& report) {
  ++graph_runs_;
  auto entry = catalogue_.find(job.graph);
  if (!entry.ok()) return entry.take_error();

  runtime::RunRequest req;
  req.out_type = job.out_type;
  req.params = job.params;
  req.limits = options_.limits;
  req.stop = stop;
  std::string input;
  std::vector<std::string> images;
  if (Status st = fetch_inputs(job, stop, input, images, req, report); !st.ok()) return st.take_error();
  if (Status st = check_lane(job, input); !st.ok()) return st.take_error();

  auto start = SteadyClock::now();
  auto admitted = admit(*(*entry)->executable, req, stop);
  report.memory_wait = seconds_since(start);
  if (!admitted.ok()) return admitted.take_error();
  start = SteadyClock::now();
  auto out = (*entry)->executable->run(req);
  report.process = seconds_since(start);
  if (!out.ok()) return out.take_error();
  if (auto e = stop.check()) return *e;
  report.ran = true;
  report.output_bytes = out->bytes.size();
  report.output_pixels = pixels_of(out->bytes);

  auto location = store(job, *out, report);
  if (!location.ok()) return location.take_error();
  return Produced{std::move(*location), std::move(out->bytes)};
}

Status Processor::fetch_inputs(const Job& job, const Stop& stop, std::string& input, std::vector<std::string>& held,
                               runtime::RunRequest& req, JobReport& report) {
  const auto start = SteadyClock::now();
  Status st = ok_status();
  if (job.input) {
    auto bytes = resolve_input(*job.input, job, stop);
    if (bytes.ok()) {
      input = std::move(*bytes);
      req.input = input;
    } else {
      st = bytes.take_error();
    }
  }
  if (st.ok()) st = resolve_images(job, stop, held, req);
  report.fetch = seconds_since(start);
  report.input_bytes = input.size();
  for (const auto& bytes : held) report.input_bytes += bytes.size();
  if (st.ok() && !input.empty()) report.input_pixels = pixels_of(input);
  return st;
}

Result<std::string> Processor::store(const Job& job, const runtime::Output& out, JobReport& report) {
  const auto start = SteadyClock::now();
  auto location = storage_.put(job.key, out.bytes, out.content_type);
  if (!location.ok()) {
    report.store = seconds_since(start);
    // Not the client's fault whatever the store said (e.g. a 403 for a wrong secret): 503.
    // The store's text (bucket, key, endpoint, libcurl) goes to the log only.
    return public_error(ErrorKind::kUnavailable, "result storage is unavailable; retry later",
                        location.error().message());
  }
  if (Status st = index_.put(job.key, *location); !st.ok()) {
    // The result is stored; a later lookup will miss and re-check storage/process again.
    spdlog::warn("cache index update failed for {}: {}", job.key, st.error().message());
  }
  report.store = seconds_since(start);
  return location;
}

Result<MemoryBudget::Reservation> Processor::admit(const runtime::Executable& executable,
                                                   const runtime::RunRequest& req, const Stop& stop) {
  if (memory_.limit() == 0) return MemoryBudget::Reservation();
  auto estimate = executable.estimate_memory(req);
  if (!estimate.ok()) return estimate.take_error();
  return memory_.acquire(*estimate, stop);
}

Status Processor::resolve_images(const Job& job, const Stop& stop, std::vector<std::string>& held,
                                 runtime::RunRequest& req) {
  held.reserve(job.images.size());  // no reallocation: req.images views the strings
  for (const auto& [name, src] : job.images) {
    auto bytes = resolve_input(src, job, stop);
    if (!bytes.ok()) return request::image_input_error(bytes.error(), name);
    held.push_back(std::move(*bytes));
    req.images.emplace_back(name, held.back());
  }
  return ok_status();
}

Status Processor::check_lane(const Job& job, std::string_view input) {
  if (job.lane == Lane::kVideo || input.empty() || !runtime::video::is_video(input)) return ok_status();
  return Error(ErrorKind::kVideoLane, "the input is a video: the job moves to the video lane");
}

Result<std::string> Processor::resolve_input(const std::string& src, const Job& outer, const Stop& stop) {
  if (src.starts_with("graph/")) return chained_input(src, outer, stop);
  auto fetched = inputs_.fetch(src, options_.fetch, stop);
  if (!fetched.ok()) return as_download_failure(fetched.take_error(), src);
  return std::move(fetched->bytes);
}

Result<std::string> Processor::chained_input(const std::string& ref, const Job& outer, const Stop& stop) {
  const int depth = outer.depth + 1;
  if (depth > options_.max_depth) {
    return Error(ErrorKind::kInvalidArgument,
                 "chained graph inputs are nested deeper than " + std::to_string(options_.max_depth),
                 fetch::input_details(ref));
  }
  auto inner = request::parse_graph_request("/" + ref);
  if (!inner.ok()) return as_download_failure(inner.take_error(), ref);
  if (auto app = auth_.check(*inner); !app.ok()) return app.take_error();
  if (Status st = request::check_requested_size(*inner, options_.size_limit_megapixels); !st.ok()) {
    return st.take_error();
  }
  Job job = job_for(std::move(*inner));
  job.depth = depth;
  job.lane = outer.lane;  // an image job whose chained input is a video moves as a whole
  JobReport inner_report;  // its time is the outer job's fetch phase
  auto produced = produce(job, stop, inner_report);
  if (!produced.ok()) return produced.take_error();
  if (!produced->bytes.empty()) return std::move(produced->bytes);
  return storage_.get(job.key);  // already stored: read it back
}

Job Processor::job_for(request::GraphRequest&& r) const {
  if (auto entry = catalogue_.find(r.graph); entry.ok()) {
    r.images = request::take_image_inputs(r.params, (*entry)->executable->image_inputs());
  }
  return job_from_request(std::move(r));
}

}  // namespace imgflo::jobs
