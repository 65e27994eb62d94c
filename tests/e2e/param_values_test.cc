// Parameter values are converted against the graph's inport types when the
// request is parsed: a value that does not parse is a 400 naming the
// parameter, the value and what is allowed — before a job is queued or the
// input downloaded (the scripted origin counts the downloads).
#include "e2e/e2e_util.h"
#include "support/paths.h"
#include "support/test_origin.h"

#include <gtest/gtest.h>

namespace imgflo::test {
namespace {

class ParamValues : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    origin_ = new TestOrigin("127.0.0.1");
    origin_->on("/input.jpg", OriginResponse::ok(read_file(example("gridbear.jpg")), "image/jpeg"));
    server_ = new ServerProcess("param-values", {{"IMGFLO_ALLOW_PRIVATE", "127.0.0.1/32"}});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete origin_;
  }
  static std::string url(const std::string& graph, const std::string& params) {
    return server_->url("/graph/" + graph + "?" + input_param(origin_->url("/input.jpg")) + "&" + params);
  }
  static TestOrigin* origin_;
  static ServerProcess* server_;
};
TestOrigin* ParamValues::origin_ = nullptr;
ServerProcess* ParamValues::server_ = nullptr;

TEST_F(ParamValues, ValuesThatDoNotParseAre400sBeforeAnyWork) {
  struct Case {
    std::string graph, parameter, value, allowed;
  };
  const std::vector<Case> cases = {
      {"crop", "width", "abc", "number"},
      {"retro", "preset", "bogus", "one of: "},  // followed by the nicks
      {"gradientmap", "srgb", "maybe", "true or false"},
      {"gaussianblur", "std-dev-x", "abc", "number"},
  };
  const uint64_t submitted = metric(*server_, "imgflo_jobs_submitted_total");
  for (const auto& c : cases) {
    const HttpResult r = http_get(url(c.graph, c.parameter + "=" + c.value));
    ASSERT_EQ(r.status, 400) << c.graph << " " << c.parameter << ": " << r.body;
    ASSERT_EQ(r.header("content-type"), "application/json");
    const auto j = r.json();
    EXPECT_EQ(j["code"], 400);
    EXPECT_EQ(j["type"], "invalid-argument");
    EXPECT_EQ(j["parameter"], c.parameter);
    EXPECT_EQ(j["value"], c.value);
    EXPECT_EQ(j["allowed"].get<std::string>().substr(0, c.allowed.size()), c.allowed) << j.dump();
  }
  EXPECT_EQ(origin_->hits("/input.jpg"), 0);
  EXPECT_EQ(metric(*server_, "imgflo_jobs_submitted_total"), submitted);
}

TEST_F(ParamValues, EnumErrorsListTheNicks) {
  const auto j = http_get(url("retro", "preset=bogus")).json();
  EXPECT_NE(j["allowed"].get<std::string>().find("prog"), std::string::npos) << j.dump();
}

TEST_F(ParamValues, UnknownNamesKeepThe449) {
  const HttpResult r = http_get(url("gaussianblur", "bogus=abc"));
  EXPECT_EQ(r.status, 449) << r.body;
  EXPECT_EQ(origin_->hits("/input.jpg"), 0);
}

TEST_F(ParamValues, OutOfRangeNumbersAreStillClamped) {
  const HttpResult r = http_get(url("gaussianblur", "std-dev-x=-5&std-dev-y=2.5px"));
  EXPECT_EQ(r.status, 301) << r.body;
}

}  // namespace
}  // namespace imgflo::test
