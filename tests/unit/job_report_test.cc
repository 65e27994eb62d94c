// The job's broker message fields for logs and metrics (request id,
// submission time), its outcome line (jobs/job_report.h: hosts only, no
// credentials or queries) and the job metrics (jobs/job_metrics.h: bounded
// graph labels, phases entered, the text format).
#include "jobs/job_metrics.h"
#include "jobs/job_report.h"

#include "core/guard.h"
#include "core/json.h"
#include "support/prometheus_text.h"

#include <gtest/gtest.h>

namespace imgflo::jobs {
namespace {

Job sample_job() {
  Job job;
  job.id = new_job_id();
  job.key = "da39a3ee5e6b4b0d3255bfef95601890afd80709.png";
  job.graph = "passthrough";
  job.out_type = "png";
  job.input = "https://user:secret@Images.Example.com:8443/a/b.jpg?token=hunter2";
  job.images = {{"watermark", "http://cdn.example.net/logo.png?sig=abc"}};
  job.submitted_us = now_epoch_us();
  job.request_id = "req-4f2a9c1d7e3b";
  return job;
}

TEST(JobMessage, TheRequestIdAndSubmissionTimeTravelWithTheJob) {
  const Job job = sample_job();
  auto back = job_from_json(to_json(job));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->request_id, "req-4f2a9c1d7e3b");
  EXPECT_EQ(back->submitted_us, job.submitted_us);
  EXPECT_EQ(back->images, job.images);
}

TEST(JobMessage, MessagesOfOlderFrontendsWithoutThemDecode) {
  nlohmann::json j = to_json(sample_job());
  j.erase("request_id");
  j.erase("submitted_us");
  auto back = job_from_json(j);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->request_id, "");
  EXPECT_EQ(back->submitted_us, 0);
}

TEST(JobMessage, AHostileRequestIdOrSubmissionTimeMakesTheMessageMalformed) {
  for (const nlohmann::json& id : {nlohmann::json("has space"), nlohmann::json("quote\""), nlohmann::json("a\\b"),
                                   nlohmann::json("line\nbreak"), nlohmann::json(std::string(129, 'a')),
                                   nlohmann::json("caf\xc3\xa9"), nlohmann::json("a:b"), nlohmann::json(12), nlohmann::json(nullptr)}) {
    nlohmann::json j = to_json(sample_job());
    j["request_id"] = id;
    auto back = job_from_json(j);
    ASSERT_FALSE(back.ok()) << dump_json(id);
    EXPECT_EQ(back.error().kind(), ErrorKind::kInvalidArgument);
  }
  for (const nlohmann::json& t : {nlohmann::json(-1), nlohmann::json(1.5), nlohmann::json("1")}) {
    nlohmann::json j = to_json(sample_job());
    j["submitted_us"] = t;
    EXPECT_FALSE(job_from_json(j).ok()) << dump_json(t);
  }
  EXPECT_TRUE(valid_request_id(std::string(kMaxRequestIdSize, 'a')));
  EXPECT_TRUE(valid_request_id("0f8c2a0e-5b3d-4a51-9c1e-2d7f6b8a9c10"));
}

TEST(JobMessage, AnInvalidRequestIdIsNeverSent) {
  Job job = sample_job();
  job.request_id = "two words";
  EXPECT_EQ(to_json(job)["request_id"], "");
  EXPECT_TRUE(job_from_json(to_json(job)).ok());
}

TEST(JobReport, InputHostKeepsOnlyTheHostAndPort) {
  EXPECT_EQ(input_host("https://user:pw@Example.COM:8080/a?b=c"), "example.com:8080");
  EXPECT_EQ(input_host("http://example.com?x=1"), "example.com");
  EXPECT_EQ(input_host("HTTP://[::1]:80/x"), "[::1]:80");
  EXPECT_EQ(input_host("http://a@b@evil.example/x"), "evil.example");
  EXPECT_EQ(input_host("files/grid-toastybob.jpg"), "files");
  EXPECT_EQ(input_host("graph/passthrough.png?input=http://x/y"), "graph");
  EXPECT_EQ(input_host(""), "");
  EXPECT_EQ(input_host("ftp://example.com/x"), "invalid");
  EXPECT_EQ(input_host("http://exa mple.com/x"), "invalid");
  EXPECT_EQ(input_host("http:///x"), "invalid");
}

TEST(JobReport, TheOutcomeLineNeverCarriesCredentialsOrQueries) {
  const Job job = sample_job();
  JobReport report;
  report.fetch = 0.25;
  const Error failed(ErrorKind::kDownloadFailed, "Failed to download input " + *job.input + ": HTTP 404 from " +
                                                     *job.input + "; watermark " + job.images[0].second);
  const nlohmann::json f = job_outcome_fields(job, report, failed);
  const std::string line = dump_json(f);
  for (const char* secret : {"secret", "hunter2", "token", "sig=abc", "/a/b.jpg", "logo.png"}) {
    EXPECT_EQ(line.find(secret), std::string::npos) << secret << " in " << line;
  }
  EXPECT_EQ(f["error"], "Failed to download input images.example.com:8443: HTTP 404 from images.example.com:8443; "
                        "watermark cdn.example.net");
  EXPECT_EQ(f["input_host"], "images.example.com:8443");
  EXPECT_EQ(f["outcome"], "download-failed");
  EXPECT_EQ(f["status"], 504);
  EXPECT_EQ(f["request_id"], "req-4f2a9c1d7e3b");
  EXPECT_EQ(f["fetch_ms"], 250.0);
  EXPECT_FALSE(f.contains("process_ms")) << "a phase the job never entered has no field";
}

TEST(JobReport, InternalErrorsShowOnlyTheirPublicMessage) {
  const Job job = sample_job();
  const nlohmann::json plain = job_outcome_fields(job, {}, Error(ErrorKind::kProcessingFailed, "vips_foo: /tmp/x"));
  EXPECT_EQ(plain["error"], "the image could not be processed");
  EXPECT_EQ(plain["status"], 500);
  const Error with_id = public_error(ErrorKind::kUnavailable, "result storage is unavailable", "bucket s3://b");
  const nlohmann::json f = job_outcome_fields(job, {}, with_id);
  EXPECT_EQ(f["error_id"], with_id.details()["error_id"]);
  EXPECT_EQ(dump_json(f).find("s3://b"), std::string::npos);
}

TEST(JobReport, SuccessesAreOkWhenRunAndCachedWhenAnsweredFromTheStore) {
  JobReport report;
  EXPECT_EQ(outcome_name(report, std::string("/cache/x")), "cached");
  report.ran = true;
  report.output_pixels = 12;
  EXPECT_EQ(outcome_name(report, std::string("/cache/x")), "ok");
  const nlohmann::json f = job_outcome_fields(sample_job(), report, std::string("/cache/x"));
  EXPECT_EQ(f["status"], 200);
  EXPECT_EQ(f["output_pixels"], 12);
  EXPECT_FALSE(f.contains("error"));
}

TEST(JobMetrics, GraphsOutsideTheCatalogueAreCountedAsOther) {
  JobMetrics m(std::vector<std::string>{"passthrough", "crop"});
  JobReport report;
  report.process = 0.01;
  m.record("crop", report, "ok");
  for (int i = 0; i < 100; ++i) m.record("hostile-" + std::to_string(i), report, "not-found");
  std::string text;
  m.render(text);
  const auto parsed = test::parse_exposition(text);
  ASSERT_EQ(parsed.error, "") << text;
  const auto& e = parsed.exposition;
  EXPECT_EQ(e.sum("imgflo_jobs_total", {{"graph", "crop"}, {"outcome", "ok"}}), 1.0);
  EXPECT_EQ(e.sum("imgflo_jobs_total", {{"graph", "other"}, {"outcome", "not-found"}}), 100.0);
  EXPECT_EQ(text.find("hostile"), std::string::npos);
  EXPECT_EQ(e.sum("imgflo_job_phase_seconds_count", {{"phase", "process"}}), 101.0);
}

TEST(JobMetrics, OnlyThePhasesAJobEnteredAreObserved) {
  JobMetrics m(std::vector<std::string>{"passthrough"});
  JobReport ran;
  ran.queue_wait = 0.002;
  ran.fetch = 0.03;
  ran.memory_wait = 0;
  ran.process = 0.2;
  ran.store = 0.004;
  m.record("passthrough", ran, "ok");
  JobReport cached;
  cached.queue_wait = 0.001;
  m.record("passthrough", cached, "cached");
  std::string text;
  m.render(text);
  const auto parsed = test::parse_exposition(text);
  ASSERT_EQ(parsed.error, "") << text;
  const auto count = [&](const char* phase) {
    return parsed.exposition.sum("imgflo_job_phase_seconds_count", {{"graph", "passthrough"}, {"phase", phase}});
  };
  EXPECT_EQ(count("queue_wait"), 2.0);
  EXPECT_EQ(count("fetch"), 1.0);
  EXPECT_EQ(count("memory_wait"), 1.0);
  EXPECT_EQ(count("process"), 1.0);
  EXPECT_EQ(count("store"), 1.0);
  EXPECT_EQ(parsed.exposition.sum("imgflo_job_phase_seconds_bucket",
                                  {{"graph", "passthrough"}, {"phase", "process"}, {"le", "0.1"}}),
            0.0);
  EXPECT_EQ(parsed.exposition.sum("imgflo_job_phase_seconds_bucket",
                                  {{"graph", "passthrough"}, {"phase", "process"}, {"le", "0.25"}}),
            1.0);
}

TEST(JobMetrics, EveryJobSeriesFollowsTheTextFormat) {
  JobMetrics m(std::vector<std::string>{"passthrough"});
  m.record("passthrough", JobReport{}, "cached");
  MemoryBudget budget(1 << 20);
  JobStats stats;
  stats.submitted = 3;
  stats.queued = 2;
  std::string text;
  render_job_series(text, stats, &budget, &m);
  const auto parsed = test::parse_exposition(text);
  ASSERT_EQ(parsed.error, "") << text;
  const auto& e = parsed.exposition;
  EXPECT_EQ(e.sum("imgflo_jobs_submitted_total"), 3.0);
  EXPECT_EQ(e.sum("imgflo_jobs_queued"), 2.0);
  EXPECT_EQ(e.sum("imgflo_memory_limit_bytes"), double(1 << 20));
  for (const char* name : {"imgflo_jobs_started_total", "imgflo_jobs_coalesced_total", "imgflo_jobs_succeeded_total",
                           "imgflo_jobs_failed_total", "imgflo_jobs_cancelled_total", "imgflo_jobs_rejected_total",
                           "imgflo_jobs_running", "imgflo_memory_estimate_bytes", "imgflo_memory_admitted_jobs",
                           "imgflo_memory_waiting_jobs", "imgflo_memory_admission_waits_total",
                           "imgflo_memory_refused_total"}) {
    EXPECT_EQ(e.sum(name), 0.0) << name;
    EXPECT_TRUE(e.help.count(name)) << name;
  }
  EXPECT_EQ(e.types.at("imgflo_job_phase_seconds"), "histogram");
  EXPECT_EQ(e.sum("imgflo_jobs_total", {{"outcome", "cached"}}), 1.0);
}

}  // namespace
}  // namespace imgflo::jobs
