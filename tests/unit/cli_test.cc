// imgflo-process as a user runs it: exit codes, one-line errors, --list.
#include "support/paths.h"
#include "support/test_text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace imgflo::test {
namespace {

using CliRun = CommandRun;  // stdout + stderr in `out`

CliRun cli(const std::string& args) {
  return run_command((binary_dir() / "imgflo-process").string() + " " + args + " 2>&1");
}

TEST(Cli, ListPrintsTheCatalogue) {
  CliRun r = cli("--list");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["graphs"].contains("crop"));
  EXPECT_EQ(j["graphs"]["crop"]["inports"]["cropheight"]["metadata"]["type"], "number");
}

TEST(Cli, WritesTheRequestedFormat) {
  const auto out = scratch_dir("cli-format") / "o";
  CliRun r = cli("crop.png " + out.string() + " input=" + example("gridbear.jpg").string() + " cropwidth=20");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(read_file(out).substr(1, 3), "PNG");
  r = cli("crop " + out.string() + " input=" + example("gridbear.jpg").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(read_file(out).substr(0, 3), "\xFF\xD8\xFF");  // no extension: JPEG
}

TEST(Cli, FailuresExitNonZeroWithOneLine) {
  const auto out = (scratch_dir("cli-fail") / "o").string();
  const std::string in = " input=" + example("gridbear.jpg").string();
  const auto text = scratch_dir("cli-fail") / "not-an-image.txt";
  std::ofstream(text) << "not an image\n";
  for (const std::string& args : {"nosuchgraph " + out + in, "crop.bmp " + out + in, "crop " + out + in + " bogus=1",
                                  "crop " + out + " input=/nonexistent.jpg", "crop " + out + " input=" +
                                  text.string()}) {
    CliRun r = cli(args);
    EXPECT_EQ(r.status, 1) << args << ": " << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_EQ(r.out.rfind("imgflo-process: ", 0), 0u) << r.out;
  }
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(cli("").status, 2);
  EXPECT_EQ(cli("crop").status, 2);
  EXPECT_EQ(cli("--frob crop x").status, 2);
  EXPECT_EQ(cli("crop out notaparam").status, 2);
  EXPECT_EQ(cli("--help").status, 0);
  EXPECT_EQ(cli("--color-management srgb crop x").status, 2);
}

TEST(Cli, ColourManagementSetting) {
  EXPECT_NE(cli("--help").out.find("--color-management icc|legacy"), std::string::npos);
  const auto out = scratch_dir("cli-colour") / "o.png";
  const std::string run = "passthrough.png " + out.string() + " input=" + example("cmyk-color.jpg").string();
  ASSERT_EQ(cli(run).status, 0);
  const std::string managed = read_file(out);
  ASSERT_EQ(cli("--color-management legacy " + run).status, 0);
  const std::string legacy = read_file(out);
  EXPECT_NE(managed, legacy) << "the example's CMYK profile is applied only in icc mode";
  ::setenv("IMGFLO_COLOR_MANAGEMENT", "legacy", 1);  // the flag's default
  const CliRun from_env = cli(run);
  ::unsetenv("IMGFLO_COLOR_MANAGEMENT");
  ASSERT_EQ(from_env.status, 0) << from_env.out;
  EXPECT_EQ(read_file(out), legacy);
}

}  // namespace
}  // namespace imgflo::test
