// The original's reference images, reproduced through the runtime library
// and through the imgflo-process CLI (the same cases run over HTTP in the
// server's end-to-end suite).
#include "request/graph_spec.h"
#include "runtime/catalogue.h"
#include "support/image_compare.h"
#include "support/paths.h"
#include "support/pixels.h"
#include "support/reference_cases.h"
#include "support/test_text.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sys/wait.h>

namespace imgflo::test {
namespace {

namespace rt = runtime;

const rt::Catalogue& catalogue() { return bundled_catalogue(); }

void expect_matches(const ReferenceCase& c, const std::string& output, const std::string& input_file) {
  if (c.tolerance < 0) {
    EXPECT_TRUE(output == read_file(input_file)) << c.name << ": output is not byte-identical to the input";
    return;
  }
  const Comparison cmp = compare_images(output, read_file(reference(c.reference)));
  EXPECT_TRUE(cmp.passes(c.tolerance)) << c.name << ": " << cmp.describe() << " (tolerance " << c.tolerance << ")";
}

class ReferenceCaseTest : public testing::TestWithParam<ReferenceCase> {};

TEST_P(ReferenceCaseTest, LibraryMatchesReference) {
  const ReferenceCase& c = GetParam();
  const CaseRequest req = parse_case_url(c.url);
  const auto spec = request::parse_graph_spec(req.graph_spec);
  auto entry = catalogue().find(spec.name);
  ASSERT_TRUE(entry.ok()) << entry.error().message();
  rt::RunRequest run;
  run.out_type = spec.extension;
  run.params = req.params;
  if (c.legacy_colour) run.limits.colour = rt::ColourManagement::kLegacy;
  std::string input;
  if (!req.input_file.empty()) {
    input = read_file(req.input_file);
    run.input = input;
  }
  auto out = (*entry)->executable->run(run);
  ASSERT_TRUE(out.ok()) << out.error().message();
  expect_matches(c, out->bytes, req.input_file);
}

TEST_P(ReferenceCaseTest, CliMatchesReference) {
  const ReferenceCase& c = GetParam();
  const CaseRequest req = parse_case_url(c.url);
  const auto out = scratch_dir("cli-" + c.name) / "out";
  std::string cmd = shell_quote((binary_dir() / "imgflo-process").string()) + " " + shell_quote(req.graph_spec) +
                    " " + shell_quote(out.string());
  if (c.legacy_colour) cmd += " --color-management legacy";
  if (!req.input_file.empty()) cmd += " " + shell_quote("input=" + req.input_file);
  for (const auto& [k, v] : req.params) cmd += " " + shell_quote(k + "=" + v);
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << cmd;
  expect_matches(c, read_file(out), req.input_file);
}

INSTANTIATE_TEST_SUITE_P(Original, ReferenceCaseTest, testing::ValuesIn(reference_cases({"imgflo", "noop", "canvas"})),
                         [](const testing::TestParamInfo<ReferenceCase>& info) { return info.param.name; });

}  // namespace
}  // namespace imgflo::test
