// The job metrics of one process (GET /metrics), from the jobs its Processor
// ran, on core/metrics.h:
//
//   imgflo_job_phase_seconds{graph, phase}  histogram; phase = queue_wait
//       (submission to start: in distributed mode across the broker, from the
//       frontend's clock to the worker's), fetch, memory_wait, process, store;
//       a job counts in the phases it entered (a cached answer has no fetch)
//   imgflo_jobs_total{graph, outcome}       counter; outcome_name() of jobs/job_report.h
//
// Label values are bounded: `graph` is a catalogue name or "other" (a name
// outside the catalogue: a graph file removed, or a hostile broker message),
// `outcome` a fixed set. Chained graph inputs (graph/...) processed inline
// count in their job's fetch phase, not as jobs of their own.
//
// render_job_series() adds the job system's and the memory budget's
// statistics read at scrape time (imgflo_jobs_submitted_total ...
// imgflo_jobs_queued, imgflo_jobs_running, imgflo_jobs_rerouted_total, the
// video lane's share imgflo_video_jobs_queued/_running, imgflo_memory_*).
//
// Thread-safe.
#pragma once

#include "core/metrics.h"
#include "jobs/job_report.h"
#include "jobs/job_system.h"
#include "jobs/memory_budget.h"
#include "jobs/recent_jobs.h"

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace imgflo::jobs {

class JobMetrics {
 public:
  // `graphs`: the names that are label values of their own.
  explicit JobMetrics(const std::vector<std::string>& graphs);
  JobMetrics(const JobMetrics&) = delete;
  JobMetrics& operator=(const JobMetrics&) = delete;

  // Counts a finished job of `graph` and observes the phases it entered.
  void record(std::string_view graph, const JobReport& report, std::string_view outcome);
  // `graph` if it is one of the names given, else "other".
  std::string_view graph_label(std::string_view graph) const;
  void render(std::string& out) const;

  // The phase histogram's bucket bounds (seconds).
  static const std::vector<double>& phase_buckets();

  // The outcome lines of the last jobs, by key (the debug page's timings).
  RecentJobs& recent() { return recent_; }
  const RecentJobs& recent() const { return recent_; }

 private:
  const std::set<std::string, std::less<>> graphs_;
  metrics::HistogramFamily phases_;
  metrics::CounterFamily jobs_;
  RecentJobs recent_;
};

// Every job series of /metrics: the job system's counters and gauges, the
// memory budget's (when `memory` is not null) and `per_job` (when not null).
void render_job_series(std::string& out, const JobStats& jobs, const MemoryBudget* memory, const JobMetrics* per_job);

}  // namespace imgflo::jobs
