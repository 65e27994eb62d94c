#include "jobs/job_metrics.h"

namespace imgflo::jobs {

namespace {

void observe(metrics::HistogramFamily& phases, std::string_view graph, std::string_view phase,
             const std::optional<double>& seconds) {
  if (seconds) phases.with({graph, phase}).observe(*seconds);
}

}  // namespace

const std::vector<double>& JobMetrics::phase_buckets() {
  static const std::vector<double> bounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                             0.5,   1,      2.5,   5,    10,    30,   60,  120};
  return bounds;
}

JobMetrics::JobMetrics(const std::vector<std::string>& graphs)
    : graphs_(graphs.begin(), graphs.end()),
      phases_("imgflo_job_phase_seconds", "Time jobs spent in each phase, by graph.", {"graph", "phase"},
              phase_buckets()),
      jobs_("imgflo_jobs_total", "Jobs processed by this process, by graph and outcome.", {"graph", "outcome"}) {}

std::string_view JobMetrics::graph_label(std::string_view graph) const {
  auto it = graphs_.find(graph);
  return it == graphs_.end() ? std::string_view("other") : std::string_view(*it);
}

void JobMetrics::record(std::string_view graph, const JobReport& report, std::string_view outcome) {
  const std::string_view label = graph_label(graph);
  jobs_.with({label, outcome}).inc();
  observe(phases_, label, "queue_wait", report.queue_wait);
  observe(phases_, label, "fetch", report.fetch);
  observe(phases_, label, "memory_wait", report.memory_wait);
  observe(phases_, label, "process", report.process);
  observe(phases_, label, "store", report.store);
}

void JobMetrics::render(std::string& out) const {
  jobs_.render(out);
  phases_.render(out);
}

void render_job_series(std::string& out, const JobStats& j, const MemoryBudget* memory, const JobMetrics* per_job) {
  using metrics::write_counter;
  using metrics::write_gauge;
  write_counter(out, "imgflo_jobs_submitted_total", "Jobs accepted by the job system.", j.submitted);
  write_counter(out, "imgflo_jobs_started_total", "Jobs that began running.", j.started);
  write_counter(out, "imgflo_jobs_coalesced_total", "Submissions that joined an identical job.", j.coalesced);
  write_counter(out, "imgflo_jobs_succeeded_total", "Jobs that ended with a stored result.", j.succeeded);
  write_counter(out, "imgflo_jobs_failed_total", "Jobs that ended with an error.", j.failed);
  write_counter(out, "imgflo_jobs_cancelled_total", "Jobs dropped because nobody waited any more.", j.cancelled);
  write_counter(out, "imgflo_jobs_rejected_total", "Submissions refused because the queue was full.", j.rejected);
  write_gauge(out, "imgflo_jobs_queued", "Jobs waiting to start (queue depth).", static_cast<double>(j.queued));
  write_gauge(out, "imgflo_jobs_running", "Jobs in flight.", static_cast<double>(j.running));
  write_counter(out, "imgflo_jobs_rerouted_total", "Image-lane jobs moved to the video lane (a video input).",
                j.rerouted);
  write_gauge(out, "imgflo_video_jobs_queued", "Of imgflo_jobs_queued, video-lane jobs.",
              static_cast<double>(j.video_queued));
  write_gauge(out, "imgflo_video_jobs_running", "Of imgflo_jobs_running, video-lane jobs.",
              static_cast<double>(j.video_running));
  if (memory) {
    const MemoryBudgetStats b = memory->stats();
    write_gauge(out, "imgflo_memory_limit_bytes", "The memory budget of the running jobs (IMGFLO_MEMORY_LIMIT).",
                static_cast<double>(b.limit));
    write_gauge(out, "imgflo_memory_estimate_bytes", "Memory estimate of the running jobs, in use.",
                static_cast<double>(b.in_use));
    write_gauge(out, "imgflo_memory_admitted_jobs", "Jobs holding a share of the memory budget.",
                static_cast<double>(b.running));
    write_gauge(out, "imgflo_memory_waiting_jobs", "Jobs waiting for the memory budget.",
                static_cast<double>(b.waiting));
    write_counter(out, "imgflo_memory_admission_waits_total", "Jobs that had to wait for memory.", b.waits);
    write_counter(out, "imgflo_memory_refused_total", "Jobs refused as larger than the memory budget.", b.refused);
  }
  if (per_job) per_job->render(out);
}

}  // namespace imgflo::jobs
