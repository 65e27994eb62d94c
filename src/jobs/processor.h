// The work of one job, shared by every job system (in-process pool, broker
// workers): re-check the cache, resolve the input, run the graph, store the
// result, record it in the index.
//
// Inputs ("input" and the named image inputs such as the watermark graph's
// "watermark", each resolved alike: same limits, SSRF guard and deadline,
// errors naming the input): http(s) URLs and files/NAME go through the Fetcher; graph/... (a
// chained request, /graph/... without the leading slash) is resolved here,
// through the same pipeline, without an HTTP round trip to ourselves: its
// cached result is read back from storage, or it is processed inline on this
// thread (so nesting can never wait for a free worker: the original's
// localhost round trip deadlocked). Nesting is limited (max_depth) and
// authenticated like a top-level request when auth is on.
//
// With in-flight markers (distributed mode, Redis), identical jobs arriving
// through different frontends run once: the first worker claims the key, the
// others wait for its release and answer with the stored result (or run the
// job themselves if the owner died or failed). The claim's owner is the job
// id, which travels in the broker message: a job redelivered after its worker
// died re-claims its own key at once instead of waiting out the dead claim
// (up to the job's deadline). If the first worker had only lost its broker
// connection and still runs, the job runs twice; both store the same bytes
// under the same key (atomic put), so that costs work, never a wrong result.
//
// Lanes (jobs/job.h): an image-lane job whose fetched input (or chained
// input's input) is a video is not run: process() answers kVideoLane and the
// job system moves the job to the video lane. A video-lane job always runs.
//
// Memory-aware admission (jobs/memory_budget.h): once a job's inputs are
// fetched, the graph's peak-memory estimate for them (Executable::
// estimate_memory, from the headers) must fit in the budget shared by every
// job of this process before anything is decoded: the job waits for running
// jobs to finish (bounded by its deadline), or is refused with 422 when it
// could not fit even alone. A chained input is processed (and its share
// released) before the job that needs it asks for its own.
//
// Every job given to process() ends with one outcome line in the log and is
// counted in metrics() (jobs/job_report.h, jobs/job_metrics.h): its phases
// (queue wait, fetch, memory wait, process, store), sizes, outcome and the
// request id it carries. Chained inputs are part of their job's fetch phase.
//
// Thread-safe: process() may run on many threads at once.
#pragma once

#include "cache/cache_index.h"
#include "cache/inflight.h"
#include "core/limits.h"
#include "fetch/fetcher.h"
#include "request/auth.h"
#include "request/graph_request.h"
#include "jobs/job.h"
#include "jobs/job_metrics.h"
#include "jobs/job_report.h"
#include "jobs/memory_budget.h"
#include "runtime/catalogue.h"
#include "storage/storage.h"

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace imgflo::jobs {

struct ProcessorOptions {
  runtime::DecodeLimits limits;  // input and intermediate pixel limit
  fetch::FetchOptions fetch;
  double size_limit_megapixels = kDefaultSizeLimitMegapixels;  // 422 rule of chained requests
  int max_depth = 3;             // graph/ inputs nested deeper are refused
  // IMGFLO_MEMORY_LIMIT: bytes the running jobs' estimates may add up to; 0 = no admission.
  // app/config sets the default (a fraction of the machine's memory, jobs/memory_budget.h).
  uint64_t memory_limit = 0;
};

class Processor {
 public:
  Processor(const runtime::Catalogue& catalogue, fetch::Fetcher& inputs, storage::Storage& storage,
            cache::CacheIndex& index, const request::Authenticator& auth, ProcessorOptions options,
            cache::InflightMarkers* inflight = nullptr);

  // Returns the stored result's location (as Storage::put gave it).
  Result<std::string> process(const Job& job, const Stop& stop);

  // Graphs actually run (not answered from the cache or by another worker's claim).
  uint64_t graph_runs() const { return graph_runs_.load(); }
  // The admission budget of this processor's jobs (for /metrics).
  const MemoryBudget& memory() const { return memory_; }
  // The metrics of the jobs this processor ran (for /metrics).
  const JobMetrics& metrics() const { return metrics_; }

 private:
  struct Produced {
    std::string location;
    std::string bytes;  // empty when the result was already stored
  };
  // `report` gets the phases and sizes of the work done.
  Result<Produced> produce(const Job& job, const Stop& stop, JobReport& report);
  Result<Produced> run_graph(const Job& job, const Stop& stop, JobReport& report);
  // The inputs' bytes into `input` and `held` (req views them); the fetch phase.
  Status fetch_inputs(const Job& job, const Stop& stop, std::string& input, std::vector<std::string>& held,
                      runtime::RunRequest& req, JobReport& report);
  // Storage::put and the index; the store phase.
  Result<std::string> store(const Job& job, const runtime::Output& out, JobReport& report);
  // Waits (bounded by `stop`) for another owner's claim on `key` to end; the
  // location it stored, or nullopt when the caller should run the job.
  std::optional<std::string> wait_for_owner(const std::string& key, const Stop& stop);
  // The bytes of an input reference (URL, files/NAME, graph/...) of a job at `depth`.
  Result<std::string> resolve_input(const std::string& src, const Job& outer, const Stop& stop);
  // kVideoLane when an image-lane job's input is a video (the job system moves it; see jobs/job.h).
  static Status check_lane(const Job& job, std::string_view input);
  // The named image inputs' bytes into `held` (reserved: req.images views them).
  Status resolve_images(const Job& job, const Stop& stop, std::vector<std::string>& held,
                        runtime::RunRequest& req);
  // A Job for a parsed request (named image inputs taken out of its parameters).
  Job job_for(request::GraphRequest&& r) const;
  // Waits for the memory `req` needs (or refuses it): see the class comment.
  Result<MemoryBudget::Reservation> admit(const runtime::Executable& executable, const runtime::RunRequest& req,
                                          const Stop& stop);
  // `ref` processed inline, one level below `outer`, in its lane.
  Result<std::string> chained_input(const std::string& ref, const Job& outer, const Stop& stop);
  std::optional<std::string> cached_location(const std::string& key);

  const runtime::Catalogue& catalogue_;
  fetch::Fetcher& inputs_;
  storage::Storage& storage_;
  cache::CacheIndex& index_;
  const request::Authenticator& auth_;
  const ProcessorOptions options_;
  cache::InflightMarkers* const inflight_;
  std::atomic<uint64_t> graph_runs_{0};
  MemoryBudget memory_;
  JobMetrics metrics_;
};

}  // namespace imgflo::jobs
