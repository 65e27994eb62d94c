// Regression tests for inputs found by the libFuzzer targets of tests/fuzz (scripts/fuzz.sh).
//
// Each test feeds the input that made a target crash (the artifact's bytes, as a string
// literal) to the function that failed, and checks that it returns normally with a sensible
// value; an error value is fine. Most of these crashes were undefined behaviour that only the
// sanitizer build (scripts/sanitize.sh) reports; where the release build misbehaves as well,
// the test also checks the visible result.
#include "app/runtimes.h"
#include "core/query.h"
#include "graph/graph.h"
#include "request/graph_request.h"
#include "http/handler.h"
#include "jobs/job.h"
#include "jobs/local_job_system.h"
#include "runtime/catalogue.h"
#include "runtime/property.h"
#include "runtime/registry.h"
#include "runtime/runtime.h"
#include "support/paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <future>
#include <string>

namespace imgflo {
namespace {

using runtime::PropSpec;
using runtime::Value;

// What a client would get for an error: must not throw, must be JSON.
void expect_serialisable(const Error& e) {
  http::HttpResponse r;
  ASSERT_NO_THROW(r = http::error_response(e));
  EXPECT_EQ(r.status, e.status());
  EXPECT_TRUE(nlohmann::json::accept(r.body)) << r.body;
}

// fuzz target "color", artifact crash-e34d6557929d5a090fd72cde384039c22d1272c3 ("1e300") and
// its siblings: a JSON number IIP far outside int64 on an enum property was cast to int64
// (UBSan: "1e+300 is outside the range of representable values of type 'long'",
// runtime/property.cc convert_json). An out-of-range index leaves the value unchanged, like an
// unknown nick.
TEST(FuzzRegression, EnumIipFarOutOfRangeKeepsTheValue) {
  const PropSpec spec = PropSpec::enumeration("filter", "", {"auto", "fir", "iir"}, 0);
  const Value current = int64_t{2};
  for (const char* text : {"1e300", "-1e300", "18446744073709551616", "1.7976931348623157e308"}) {
    SCOPED_TRACE(text);
    const auto iip = nlohmann::ordered_json::parse(text);
    Result<Value> v = Error(ErrorKind::kInternal, "not run");
    ASSERT_NO_THROW(v = runtime::convert_json(spec, iip, current));
    ASSERT_TRUE(v.ok()) << v.error().message();
    EXPECT_EQ(std::get<int64_t>(*v), 2);
  }
}

// The same input through a graph file, as the catalogue loads it: the gaussian blur's "filter"
// enum set by an IIP of 1e300.
TEST(FuzzRegression, GraphWithEnumIipFarOutOfRangeCompiles) {
  const std::string text = R"({
    "properties": {"name": "g", "environment": {"type": "imgflo"}},
    "processes": {"blur": {"component": "gegl/gaussian-blur"}},
    "connections": [{"data": 1e300, "tgt": {"process": "blur", "port": "filter"}}],
    "inports": {"input": {"process": "blur", "port": "input"}},
    "outports": {"output": {"process": "blur", "port": "output"}}
  })";
  auto g = graph::parse_json_graph(text, "fuzz.json");
  ASSERT_TRUE(g.ok()) << g.error().message();
  const auto runtime = runtime::make_imgflo_runtime(runtime::builtin_registry());
  Result<std::unique_ptr<runtime::Executable>> exe = Error(ErrorKind::kInternal, "not run");
  ASSERT_NO_THROW(exe = runtime->compile(*g));
  if (!exe.ok()) expect_serialisable(exe.error());
}

// fuzz target "broker", artifact crash-863bad82dd6e1e83c2cd388bb1ea8e45119597ac: a job message
// whose deadline is INT64_MAX (accepted by job_from_json). deadline_from_epoch_ms converted the
// remaining milliseconds to nanoseconds with a signed overflow (UBSan: jobs/job.cc), which in
// the release build wraps to a deadline decades in the past: the worker timed the job out at once.
constexpr const char* kFarDeadlineJob =
    R"({"id": "0123456789abcdef-00000001", "key": "da39a3ee5e6b4b0d3255bfef95601890afd80709.png", )"
    R"("graph": "crop", "out_type": "png", "params": [["x", "1"], ["width", "30"]], )"
    R"("input": "files/grid-toastybob.jpg", "nocache": false, "urgency": "urgent", "depth": 0, )"
    R"("deadline_ms": 9223372036854775807})";

TEST(FuzzRegression, BrokerJobWithFarDeadlineIsNotExpired) {
  auto job = jobs::job_from_json(nlohmann::json::parse(kFarDeadlineJob));
  ASSERT_TRUE(job.ok()) << job.error().message();
  EXPECT_FALSE(jobs::deadline_from_epoch_ms(job->deadline_ms).expired());
  // Every deadline far in the future, not only the largest one.
  for (int64_t ms : {int64_t{9'000'000'000'000'000'000}, int64_t{100'000'000'000'000}}) {
    EXPECT_FALSE(jobs::deadline_from_epoch_ms(ms).expired()) << ms;
  }
}

// The worker's path for that message: its pool runs the job with the message's deadline.
TEST(FuzzRegression, BrokerJobWithFarDeadlineRuns) {
  auto job = jobs::job_from_json(nlohmann::json::parse(kFarDeadlineJob));
  ASSERT_TRUE(job.ok()) << job.error().message();
  jobs::LocalJobSystem pool(
      [](const jobs::Job&, const Stop& stop) -> Result<std::string> {
        if (auto e = stop.check()) return *e;
        return std::string("/cache/done");
      },
      jobs::LocalJobOptions{1, 4, nullptr});
  pool.start();
  std::promise<Result<std::string>> done;
  auto ticket = pool.submit(*job, [&done](Result<std::string> r) { done.set_value(std::move(r)); });
  ASSERT_TRUE(ticket.ok());
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  const auto result = future.get();
  EXPECT_TRUE(result.ok()) << result.error().message();
  pool.stop();
}

// Inputs of the kinds the url, json and fbp targets reach with non-UTF-8 bytes and huge
// numbers (the bugs fixed just before the fuzzers ran: nlohmann's dump() threw type_error.316
// on invalid UTF-8, and the graph parser let out_of_range.406 escape). Kept so that the targets'
// first findings stay fixed.
TEST(FuzzRegression, RequestWithInvalidUtf8AnswersWithJson) {
  for (const std::string& target :
       {std::string("/graph/crop.png?input=files%2Ftiny.txt&x=%E2%82%AC&y=%C3%28"), std::string("/graph/crop?x=\xff\xfe"),
        std::string("/graph/\xc3(.png?input=%ff"), std::string("/graph/k\xff/t\xfe/crop?input=files%2Fa.jpg")}) {
    SCOPED_TRACE(target);
    (void)percent_decode(target);
    (void)parse_query(target);
    Result<request::GraphRequest> r = Error(ErrorKind::kInternal, "not run");
    ASSERT_NO_THROW(r = request::parse_graph_request(target));
    if (!r.ok()) {
      expect_serialisable(r.error());
      continue;
    }
    jobs::Job job;
    job.graph = r->graph;
    job.params = r->params;
    job.input = r->input;
    http::HttpResponse body;
    ASSERT_NO_THROW(body = http::HttpResponse::json(200, jobs::to_json(job)));
    EXPECT_TRUE(nlohmann::json::accept(body.body));
  }
}

TEST(FuzzRegression, GraphJsonWithHugeNumberIsAnError) {
  Result<graph::Graph> g = Error(ErrorKind::kInternal, "not run");
  ASSERT_NO_THROW(g = graph::parse_json_graph(R"({"processes": {}, "connections": [{"data": 1e999}]})", "fuzz.json"));
  ASSERT_FALSE(g.ok());
  expect_serialisable(g.error());
}

// A .fbp graph with invalid UTF-8 in an IIP and in an exported port's name, loaded by the
// catalogue: its /graphs description (the graph's JSON) must still serialise.
TEST(FuzzRegression, FbpWithInvalidUtf8IipLoadsOrFails) {
  const auto dir = test::scratch_dir("fuzz-regression-fbp");
  test::write_file(dir / "g.fbp",
                   "INPORT=crop.INPUT:INPUT\nINPORT=crop.X:X\xc3\nOUTPORT=crop.OUTPUT:OUTPUT\n"
                   "'\xff\xfe' -> X crop(gegl/crop)\n");
  Result<std::unique_ptr<runtime::Catalogue>> cat = Error(ErrorKind::kInternal, "not run");
  ASSERT_NO_THROW(cat = runtime::Catalogue::load(dir, app::builtin_runtimes()));
  if (!cat.ok()) return expect_serialisable(cat.error());
  http::HttpResponse r;
  ASSERT_NO_THROW(r = http::HttpResponse::json(200, nlohmann::json((*cat)->listing())));
  EXPECT_TRUE(nlohmann::json::accept(r.body));
}

}  // namespace
}  // namespace imgflo
