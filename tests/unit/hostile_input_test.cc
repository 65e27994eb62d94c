// Hostile input at the units where it arrives: bytes that are not UTF-8 in
// error texts and JSON, size arithmetic of the rescale, broker messages,
// operator graph files, internal error texts. Each case once crashed the
// server or bypassed a limit (security hardening issue); here they must come
// back as ordinary values.
#include "core/error.h"
#include "core/guard.h"
#include "core/json.h"
#include "core/text.h"
#include "graph/graph.h"
#include "request/graph_request.h"
#include "http/handler.h"
#include "jobs/job.h"
#include "runtime/rescale.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace imgflo {
namespace {

TEST(Utf8, ValidatesWellFormedSequencesOnly) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("gr\xC3\xBC\xC3\x9F \xE2\x82\xAC \xF0\x9F\x98\x80"));  // ü ß € 😀
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\x80"));                 // lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));             // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));         // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));         // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));     // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));             // truncated
  EXPECT_EQ(first_invalid_utf8("ab\xFF" "cd"), 2u);
  EXPECT_EQ(first_invalid_utf8("abc"), std::string_view::npos);
}

TEST(Utf8, ReplacementKeepsValidTextAndMarksEachBrokenSequence) {
  EXPECT_EQ(valid_utf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(valid_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(valid_utf8("\xE2\x82"), "\xEF\xBF\xBD");  // one mark for the broken sequence
  EXPECT_TRUE(is_valid_utf8(valid_utf8("\xED\xA0\x80\xC0\xAF\xF4\x90\x80\x80")));
}

TEST(Json, DumpNeverThrowsOnInvalidUtf8) {
  nlohmann::json j = {{"error", std::string("no route /x\xFF")}, {std::string("k\xFE"), 1}};
  EXPECT_THROW((void)j.dump(), nlohmann::json::type_error);  // what used to kill the server
  const std::string out = dump_json(j);
  EXPECT_TRUE(nlohmann::json::accept(out)) << out;
  nlohmann::ordered_json o = {{"a", std::string("\xC0")}};
  EXPECT_TRUE(nlohmann::json::accept(dump_json(o, 2)));
}

TEST(Error, MessageAndDetailsAreMadeValidUtf8WhereCreated) {
  const Error e(ErrorKind::kNotFound, "no such route: /\xFF",
                {{"files", {{"input", {{"src", std::string("files/\xFF")}}}}}, {std::string("\xFE"), "x"}});
  EXPECT_TRUE(is_valid_utf8(e.message()));
  const std::string body = e.to_json().dump();  // the strict dump must not throw any more
  EXPECT_TRUE(nlohmann::json::accept(body));
  EXPECT_EQ(e.to_json()["code"], 404);
}

TEST(GraphRequestHostile, DecodedNonUtf8QueryIsABadRequest) {
  for (const char* target : {"/graph/passthrough?input=files/%FF", "/graph/gradientmap?color1=%ff",
                             "/graph/gradientmap?%FF=1", "/graph/passthrough?input=http://example.com/%C0%AF",
                             "/graph/passthrough?input=graph/%ED%A0%80"}) {
    auto r = request::parse_graph_request(target);
    ASSERT_FALSE(r.ok()) << target;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidArgument) << target;
    EXPECT_NO_THROW((void)r.error().to_json().dump()) << target;
  }
  // Escapes that decode to UTF-8 text are fine.
  EXPECT_TRUE(request::parse_graph_request("/graph/passthrough?input=files/caf%C3%A9.jpg").ok());
}

TEST(GraphRequestHostile, RawBytesInThePathGiveSerialisableErrors) {
  // The graph name is kept raw (it is hashed and signed as sent); the catalogue
  // then answers 404 with a message that must still serialise.
  auto r = request::parse_graph_request("/graph/\xFF\xFE.png?x=1");
  ASSERT_TRUE(r.ok());
  const Error e(ErrorKind::kNotFound, "no graph named " + r->graph);
  EXPECT_NO_THROW((void)http::error_response(e));
  EXPECT_TRUE(nlohmann::json::accept(http::error_response(e).body));
}

TEST(ErrorResponse, InternalErrorsShowAnIdNotTheirText) {
  const Error internal(ErrorKind::kProcessingFailed, "vips_resize: out of memory in /tmp/vips-12.v");
  const auto r = http::error_response(internal);
  EXPECT_EQ(r.status, 500);
  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"].get<std::string>().find("vips"), std::string::npos) << r.body;
  EXPECT_TRUE(body.contains("error_id"));
  // Client errors keep their message (it tells the client what to fix).
  const auto bad = nlohmann::json::parse(http::error_response(Error(ErrorKind::kInvalidArgument, "bad x")).body);
  EXPECT_EQ(bad["error"], "bad x");
}

TEST(PublicError, LogsDetailsAndAnswersAStableMessage) {
  const Error e = public_error(ErrorKind::kUnavailable, "result storage is unavailable",
                               "S3 PUT http://10.1.2.3:9000/bucket/p/key.jpg: SignatureDoesNotMatch");
  EXPECT_EQ(e.status(), 503);
  EXPECT_EQ(e.message().find("10.1.2.3"), std::string::npos);
  EXPECT_EQ(e.message().find("bucket"), std::string::npos);
  ASSERT_TRUE(e.details().contains("error_id"));
  EXPECT_NE(e.message().find(e.details()["error_id"].get<std::string>()), std::string::npos);
}

TEST(Guard, ExceptionsBecomeInternalErrors) {
  auto none = run_guarded("test", [] {});
  EXPECT_FALSE(none.has_value());
  auto thrown = run_guarded("test", [] { throw std::runtime_error("boom"); });
  ASSERT_TRUE(thrown.has_value());
  EXPECT_EQ(thrown->kind(), ErrorKind::kInternal);
  EXPECT_EQ(thrown->message().find("boom"), std::string::npos);  // the text went to the log
  auto odd = run_guarded("test", [] { throw 42; });
  ASSERT_TRUE(odd.has_value());
  int runs = 0;
  run_until_return("test", [&] {
    if (++runs < 3) throw std::runtime_error("again");
  }, std::chrono::milliseconds(0));
  EXPECT_EQ(runs, 3);
}

TEST(RescaleAdmission, OutputSizeIsCheckedBeforeDecoding) {
  using runtime::RescaleRequest;
  constexpr uint64_t kLimit = 50'000'000;
  const auto plan = [&](int w, int h, RescaleRequest r) { return runtime::plan_rescale(w, h, r, kLimit); };
  // The bypass: one huge side, the other free, aspect kept -> a gigapixel image.
  auto huge = plan(1440, 1000, {1'000'000, -1});
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().kind(), ErrorKind::kTooLarge);
  EXPECT_FALSE(plan(1440, 1000, {-1, 1'000'000}).ok());
  EXPECT_FALSE(plan(1, 1, {kMaxRequestedSide, kMaxRequestedSide}).ok());
  // A tall sliver upscaled by width: the arithmetic must not overflow int.
  EXPECT_FALSE(plan(1, 50'000'000, {4999, -1}).ok());
  // Ordinary requests pass, with the original's outward rounding.
  auto ok = plan(1440, 1000, {2000, -1});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->out_width, 2000);
  EXPECT_EQ(ok->out_height, 1389);
  // Exactly at the limit passes; one pixel over does not.
  EXPECT_TRUE(runtime::plan_rescale(100, 100, {500, 500}, 250'000).ok());
  EXPECT_FALSE(runtime::plan_rescale(100, 100, {500, 501}, 250'000).ok());
}

TEST(RescaleAdmission, DegenerateSidesAreFreeOrReadAsTheOriginalDid) {
  auto sides = [](const char* w, const char* h) {
    request::Params p = {{"width", w}, {"height", h}, {"x", "1"}};
    const auto r = runtime::take_side_params(p);
    EXPECT_EQ(p.size(), 1u);
    return std::pair<int, int>{r.width, r.height};
  };
  EXPECT_EQ(sides("0", "-1"), (std::pair<int, int>{-1, -1}));      // <= 0: free
  EXPECT_EQ(sides("", " "), (std::pair<int, int>{-1, -1}));        // blank: free
  EXPECT_EQ(sides("0.5", "abc"), (std::pair<int, int>{-1, -1}));   // below one pixel / not a number: free
  EXPECT_EQ(sides("12.7", "1e3"), (std::pair<int, int>{12, 1000}));
  EXPECT_EQ(sides("0x10", "1e99"), (std::pair<int, int>{16, kMaxRequestedSide}));  // clamped, then refused
}

TEST(RescaleAdmission, OutputSizeCheckRejectsNonFiniteAndOversizedSides) {
  EXPECT_FALSE(runtime::check_output_size(NAN, 10, 100, "x").ok());
  EXPECT_FALSE(runtime::check_output_size(INFINITY, 1, UINT64_MAX, "x").ok());
  EXPECT_FALSE(runtime::check_output_size(20'000'000, 1, UINT64_MAX, "x").ok());  // over libvips' coordinate range
  EXPECT_TRUE(runtime::check_output_size(10, 10, 100, "x").ok());
}

TEST(JobMessages, MalformedFieldsAreErrorsNotCrashes) {
  jobs::Job job;
  job.id = "j1";
  job.key = "b5774b2bd2c5c94535432dec55a205a712bc5326.jpg";
  job.graph = "crop";
  job.out_type = "jpg";
  job.deadline_ms = 1;
  const nlohmann::json good = jobs::to_json(job);
  EXPECT_TRUE(jobs::job_from_json(good).ok());
  auto with = [&](const char* field, nlohmann::json value) {
    nlohmann::json j = good;
    j[field] = std::move(value);
    return jobs::job_from_json(j);
  };
  EXPECT_FALSE(with("key", "../../etc/passwd").ok());
  EXPECT_FALSE(with("depth", 1e300).ok());           // a float cast out of range would be UB
  EXPECT_FALSE(with("depth", -1).ok());
  EXPECT_FALSE(with("deadline_ms", "soon").ok());
  EXPECT_FALSE(with("params", {1, 2}).ok());
  EXPECT_FALSE(jobs::job_from_json(nlohmann::json::array()).ok());
  EXPECT_FALSE(jobs::outcome_from_json({{"id", "x"}, {"key", "nope"}, {"results", {{"url", "/cache/x"}}}}).ok());
  EXPECT_FALSE(jobs::outcome_from_json({{"id", "x"}, {"key", job.key}, {"results", {{"url", "javascript:1"}}}}).ok());
  EXPECT_TRUE(jobs::outcome_from_json({{"id", "x"}, {"key", job.key}, {"results", {{"url", "/cache/" + job.key}}}}).ok());
}

TEST(GraphFiles, OperatorMistakesAreErrorsNotCrashes) {
  auto json = graph::parse_json_graph(R"({"processes": {"a": {"component": "gegl/crop"}},
    "connections": [{"data": 1e999, "tgt": {"process": "a", "port": "x"}}]})", "big.json");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().kind(), ErrorKind::kGraphInvalid);
  auto bad_text = graph::parse_json_graph("{\"processes\": {\"\xFF\": {}}}", "utf.json");
  ASSERT_FALSE(bad_text.ok());
  EXPECT_NE(bad_text.error().message().find("utf.json:1:"), std::string::npos);
  auto fbp = graph::parse_fbp_graph("'\xFF\xFE' -> X crop(gegl/crop)\n", "utf.fbp");
  ASSERT_FALSE(fbp.ok());
  EXPECT_EQ(fbp.error().kind(), ErrorKind::kGraphInvalid);
  EXPECT_NO_THROW((void)fbp.error().to_json().dump());
}

}  // namespace
}  // namespace imgflo
