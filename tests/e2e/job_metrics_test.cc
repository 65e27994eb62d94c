// Job metrics and job outcome lines over real HTTP (jobs/job_metrics.h,
// jobs/job_report.h): after a few unique requests, a repeat and a refused
// input, GET /metrics follows the text format (our strict reader and the
// Prometheus Python client's parser agree on it), the job histograms count
// exactly the jobs run, and each job left one outcome line whose JSON has
// the fields, the request's X-Request-Id, and no credentials or query of its
// input. In the distributed mode the worker's line carries the id the
// frontend was given.
#include "e2e/distributed_util.h"
#include "core/json.h"
#include "e2e/job_lines.h"
#include "support/paths.h"
#include "support/prometheus_text.h"
#include "support/test_text.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace imgflo::test {
namespace {

std::string small_crop(int x) {
  return "/graph/crop?cropwidth=20&cropheight=30&x=" + std::to_string(x) + "&y=10&input=files%2Fgridbear.jpg";
}

HttpResult get_with_id(const ServerProcess& s, const std::string& path, const std::string& request_id) {
  HttpOptions o;
  o.headers = {"X-Request-Id: " + request_id};
  return http(s.url(path), o);
}

// The samples the Prometheus Python client's parser reads from `text` (name and
// labels -> value, as JSON); throws when it refuses the text.
nlohmann::json python_parse(const std::string& text) {
  const auto dir = scratch_dir("job-metrics-python");
  write_file(dir / "metrics.txt", text);
  const std::string script =
      "import json, sys\n"
      "from prometheus_client.parser import text_string_to_metric_families\n"
      "out = {}\n"
      "for f in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
      "    for s in f.samples:\n"
      "        out[s.name + json.dumps(s.labels, sort_keys=True)] = s.value\n"
      "json.dump(out, open(sys.argv[2], 'w'))\n";
  write_file(dir / "parse.py", script);
  const std::string cmd = "/usr/bin/python3 " + shell_quote((dir / "parse.py").string()) + " " +
                          shell_quote((dir / "metrics.txt").string()) + " " + shell_quote((dir / "out.json").string());
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("the Prometheus parser refused /metrics");
  return nlohmann::json::parse(read_file(dir / "out.json"));
}

TEST(JobMetricsHttp, HistogramCountsEqualTheJobsRunAndEachJobHasAnOutcomeLine) {
  ServerProcess s("job-metrics", {{"IMGFLO_LOG_FORMAT", "json"}});
  for (int x = 0; x < 3; ++x) {
    const HttpResult r = get_with_id(s, small_crop(x), "e2e-job-" + std::to_string(x));
    ASSERT_EQ(r.status, 301) << r.body;
  }
  ASSERT_EQ(http_get(s.url(small_crop(0))).status, 301);  // answered from the index: no job
  // An input the SSRF guard refuses, with credentials and a query that must stay out of the log.
  const HttpResult refused = get_with_id(
      s, "/graph/crop?x=1&input=" + percent_encode("http://user:secret@127.0.0.1:1/in.jpg?token=hunter2"), "e2e-bad");
  ASSERT_NE(refused.status, 301);

  const std::string text = http_get(s.url("/metrics")).body;
  const PromParse parsed = parse_exposition(text);
  ASSERT_EQ(parsed.error, "") << text;
  const PromExposition& m = parsed.exposition;
  auto phase = [&](const char* name) {
    return m.sum("imgflo_job_phase_seconds_count", {{"graph", "crop"}, {"phase", name}}).value_or(-1);
  };
  EXPECT_EQ(phase("process"), 3);
  EXPECT_EQ(phase("store"), 3);
  EXPECT_EQ(phase("queue_wait"), 4);
  EXPECT_EQ(phase("fetch"), 4);
  EXPECT_EQ(m.sum("imgflo_jobs_total", {{"graph", "crop"}, {"outcome", "ok"}}), 3.0);
  EXPECT_EQ(m.sum("imgflo_jobs_total"), 4.0);
  const nlohmann::json python = python_parse(text);
  EXPECT_EQ(python.size(), m.samples.size());
  EXPECT_EQ(python["imgflo_job_phase_seconds_count{\"graph\": \"crop\", \"phase\": \"process\"}"], 3.0);

  const std::vector<nlohmann::json> lines = job_lines(s.log());
  ASSERT_EQ(lines.size(), 4u) << s.log();
  const uint64_t input_bytes = read_file(example("gridbear.jpg")).size();
  for (int x = 0; x < 3; ++x) {
    const nlohmann::json& j = lines[x];
    EXPECT_EQ(j["request_id"], "e2e-job-" + std::to_string(x)) << j;
    EXPECT_EQ(j["graph"], "crop");
    EXPECT_EQ(j["input_host"], "files");
    EXPECT_EQ(j["outcome"], "ok");
    EXPECT_EQ(j["status"], 200);
    EXPECT_EQ(j["input_bytes"], input_bytes);
    EXPECT_EQ(j["input_pixels"], 150 * 150);
    EXPECT_EQ(j["output_pixels"], 20 * 30);
    EXPECT_GT(j["output_bytes"].get<uint64_t>(), 0u);
    for (const char* ms : {"queue_ms", "fetch_ms", "memory_wait_ms", "process_ms", "store_ms"}) {
      EXPECT_TRUE(j.contains(ms) && j[ms].is_number() && j[ms].get<double>() >= 0) << ms << ": " << j;
    }
  }
  const nlohmann::json& bad = lines[3];
  EXPECT_EQ(bad["request_id"], "e2e-bad");
  EXPECT_EQ(bad["input_host"], "127.0.0.1:1");
  EXPECT_EQ(bad["status"], refused.status);
  EXPECT_TRUE(bad.contains("error")) << bad;
  for (const auto& j : lines) {
    const std::string line = dump_json(j);
    EXPECT_EQ(line.find("secret"), std::string::npos) << line;
    EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
  }
}

// A request id given to a frontend reaches the worker that runs the job: its
// outcome line (and the frontend's none: it ran nothing) carries it.
TEST_F(Distributed, TheWorkersJobLineCarriesTheFrontendsRequestId) {
  ServerProcess& w = worker("w", "both", 1);
  ServerProcess& a = frontend("a");
  const std::string id = "dist-" + fresh_key("request-id", "");
  const HttpResult r = get_with_id(a, small_crop(5), id.substr(0, 40));
  ASSERT_EQ(r.status, 301) << r.body;
  const std::vector<nlohmann::json> lines = job_lines(w.log());
  ASSERT_EQ(lines.size(), 1u) << w.log();
  EXPECT_EQ(lines[0]["request_id"], id.substr(0, 40));
  EXPECT_EQ(lines[0]["outcome"], "ok");
  EXPECT_TRUE(lines[0].contains("queue_ms")) << "the queue wait spans the broker";
  EXPECT_TRUE(job_lines(a.log()).empty());
}

}  // namespace
}  // namespace imgflo::test
