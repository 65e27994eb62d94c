// build/imgflo-apps as an operator runs it, against a fresh SQLite file: every
// subcommand, the JSON it prints, the original's key/secret format, the exit
// codes (0 ok, 2 bad usage or input, 3 unknown key, 1 database unreachable)
// with one line on stderr, `list` never printing a secret, and the default
// database IMGFLO_WORKDIR/imgflo.db.
#include "support/paths.h"
#include "support/proc_stats.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace imgflo::test {
namespace {

using namespace std::chrono_literals;
using Env = std::map<std::string, std::string>;

struct CliResult {
  int code = -1;
  std::string output;  // stdout and stderr
};

class AppsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir("apps-cli");
    env_ = {{"DATABASE_URL", "sqlite://" + (dir_ / "apps.db").string()}};
  }

  CliResult run(const std::vector<std::string>& args, const Env& env) {
    const auto log = dir_ / ("run-" + std::to_string(++runs_) + ".log");
    ChildProcess child(binary_dir() / "imgflo-apps", args, env, log);
    auto status = child.wait_exit(20s);
    EXPECT_TRUE(status.has_value()) << "imgflo-apps did not exit";
    CliResult r;
    if (status) {
      EXPECT_FALSE(status->signalled) << status->describe();
      r.code = status->code;
    }
    r.output = child.log();
    return r;
  }
  CliResult run(const std::vector<std::string>& args) { return run(args, env_); }

  // A command that must succeed; its output (stdout only: nothing on stderr) as JSON.
  nlohmann::json ok(const std::vector<std::string>& args) {
    CliResult r = run(args);
    EXPECT_EQ(r.code, 0) << r.output;
    auto j = nlohmann::json::parse(r.output, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.output;
    return j;
  }

  // A command that must fail with `code` and one "imgflo-apps: ..." line.
  void fails(const std::vector<std::string>& args, int code, const Env* env = nullptr) {
    CliResult r = run(args, env ? *env : env_);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.code, code) << joined << "-> " << r.output;
    EXPECT_EQ(r.output.rfind("imgflo-apps: ", 0), 0u) << joined << "-> " << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << joined << "-> " << r.output;
  }

  std::filesystem::path dir_;
  Env env_;
  int runs_ = 0;
};

const std::regex kToken("[0-9a-f]{15}");
const std::regex kUtc(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");

std::set<std::string> members(const nlohmann::json& j) {
  std::set<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.insert(it.key());
  return out;
}

TEST_F(AppsCli, AddPrintsTheNewAppWithTheOriginalsKeyFormat) {
  auto app = ok({"add", "owner@example.com", "My gallery", "--quota", "3", "--admin"});
  EXPECT_EQ(members(app), (std::set<std::string>{"key", "secret", "label", "owner_email", "processing_quota", "enabled",
                                                 "admin", "created_at", "updated_at"}));
  EXPECT_TRUE(std::regex_match(app["key"].get<std::string>(), kToken)) << app;
  EXPECT_TRUE(std::regex_match(app["secret"].get<std::string>(), kToken)) << app;
  EXPECT_EQ(app["label"], "My gallery");
  EXPECT_EQ(app["owner_email"], "owner@example.com");
  EXPECT_EQ(app["processing_quota"], 3);
  EXPECT_EQ(app["enabled"], true);
  EXPECT_EQ(app["admin"], true);
  EXPECT_TRUE(std::regex_match(app["created_at"].get<std::string>(), kUtc)) << app;

  auto plain = ok({"add", "a@b", "x"});  // the original's defaults: quota 1, not admin
  EXPECT_EQ(plain["processing_quota"], 1);
  EXPECT_EQ(plain["admin"], false);
  EXPECT_NE(plain["key"], app["key"]);
}

TEST_F(AppsCli, ListShowsEveryAppAndNeverASecret) {
  auto a = ok({"add", "a@example.com", "first"});
  auto b = ok({"add", "b@example.com", "second", "--quota=0"});
  auto rotated = ok({"rotate", b["key"], "--grace", "1h"});  // b now has a previous secret too
  CliResult r = run({"list"});
  ASSERT_EQ(r.code, 0) << r.output;
  for (const auto& secret : {a["secret"], b["secret"], rotated["secret"]}) {
    EXPECT_EQ(r.output.find(secret.get<std::string>()), std::string::npos) << r.output;
  }
  EXPECT_EQ(r.output.find("secret"), std::string::npos) << r.output;
  auto list = nlohmann::json::parse(r.output);
  ASSERT_EQ(list.size(), 2u);
  const bool a_first = list[0]["key"] == a["key"];  // by created_at, then key (same second here)
  EXPECT_EQ(list[a_first ? 0 : 1]["key"], a["key"]);
  EXPECT_EQ(list[a_first ? 1 : 0]["key"], b["key"]);
  EXPECT_EQ(list[a_first ? 1 : 0]["processing_quota"], 0);
  EXPECT_EQ(members(list[0]), (std::set<std::string>{"key", "label", "owner_email", "processing_quota", "enabled",
                                                     "admin", "created_at", "updated_at"}));
}

TEST_F(AppsCli, EverySubcommandChangesWhatShowPrints) {
  auto app = ok({"add", "a@example.com", "flow"});
  const std::string key = app["key"];
  auto shown = ok({"show", key});
  EXPECT_EQ(shown["secret"], app["secret"]);

  EXPECT_EQ(ok({"disable", key})["enabled"], false);
  EXPECT_EQ(ok({"show", key})["enabled"], false);
  EXPECT_EQ(ok({"enable", key})["enabled"], true);
  EXPECT_EQ(ok({"set-quota", key, "12"})["processing_quota"], 12);
  EXPECT_EQ(ok({"show", key})["processing_quota"], 12);
  EXPECT_FALSE(ok({"set-quota", key, "0"}).contains("secret"));

  auto rotated = ok({"rotate", key});  // default grace: 24 h
  ASSERT_TRUE(std::regex_match(rotated["secret"].get<std::string>(), kToken)) << rotated;
  EXPECT_NE(rotated["secret"], app["secret"]);
  EXPECT_EQ(rotated["previous_secret"], app["secret"]);
  EXPECT_TRUE(std::regex_match(rotated["previous_secret_expires_at"].get<std::string>(), kUtc));
  EXPECT_EQ(ok({"show", key})["secret"], rotated["secret"]);
  auto immediate = ok({"rotate", key, "--grace", "0"});
  EXPECT_FALSE(immediate.contains("previous_secret")) << immediate;
  for (const std::string grace : {"30s", "15m", "24h", "7d", "90"}) ok({"rotate", key, "--grace=" + grace});

  CliResult deleted = run({"delete", key});
  EXPECT_EQ(deleted.code, 0) << deleted.output;
  EXPECT_EQ(deleted.output, "");
  fails({"show", key}, 3);
  EXPECT_EQ(ok({"list"}).size(), 0u);
}

TEST_F(AppsCli, BadUsageOrInputExits2) {
  auto app = ok({"add", "a@example.com", "x"});
  const std::string key = app["key"];
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"frobnicate"},
      {"add", "a@b"},
      {"add", "a@b", "x", "extra"},
      {"add", "nobody", "x"},
      {"add", "@example.com", "x"},
      {"add", "a@b", ""},
      {"add", "a@b", "x", "--quota", "lots"},
      {"add", "a@b", "x", "--quota", "-1"},
      {"add", "a@b", "x", "--quota"},
      {"add", "a@b", "x", "--bogus"},
      {"list", "extra"},
      {"show"},
      {"set-quota", key},
      {"set-quota", key, "-1"},
      {"set-quota", key, "1.5"},
      {"enable", key, "--admin"},
      {"rotate", key, "--grace", "5x"},
      {"rotate", key, "--grace", "-1h"},
      {"rotate", key, "--grace", "400d"},
      {"delete", key, "--grace", "1h"},
  };
  for (const auto& args : bad) fails(args, 2);
  EXPECT_EQ(ok({"list"}).size(), 1u);  // nothing written
  EXPECT_EQ(ok({"show", key})["secret"], app["secret"]);
}

TEST_F(AppsCli, AnUnknownKeyExits3) {
  ok({"add", "a@example.com", "x"});
  for (const char* command : {"show", "enable", "disable", "rotate", "delete"}) {
    fails({command, "0123456789abcde"}, 3);
  }
  fails({"set-quota", "0123456789abcde", "4"}, 3);
}

TEST_F(AppsCli, AnUnreachableDatabaseExits1) {
  write_file(dir_ / "not-a-database", std::string(4096, 'x'));
  Env junk = {{"DATABASE_URL", "sqlite://" + (dir_ / "not-a-database").string()}};
  fails({"list"}, 1, &junk);
  Env under_a_file = {{"DATABASE_URL", "sqlite://" + (dir_ / "not-a-database" / "apps.db").string()}};
  fails({"add", "a@b", "x"}, 1, &under_a_file);
}

TEST_F(AppsCli, TheDefaultDatabaseIsTheWorkdirsSqliteFile) {
  const auto workdir = dir_ / "work";
  Env defaults = {{"IMGFLO_WORKDIR", workdir.string()}, {"DATABASE_URL", ""}};  // empty = unset
  CliResult added = run({"add", "a@example.com", "default"}, defaults);
  ASSERT_EQ(added.code, 0) << added.output;
  struct stat st {};
  ASSERT_EQ(::stat((workdir / "imgflo.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // holds secrets: the owner's only
  env_ = {{"DATABASE_URL", "sqlite://" + (workdir / "imgflo.db").string()}};
  auto list = ok({"list"});
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["label"], "default");
}

TEST_F(AppsCli, HelpNamesEveryCommand) {
  CliResult r = run({"--help"});
  ASSERT_EQ(r.code, 0);
  for (const char* word : {"add EMAIL LABEL", "list", "show KEY", "enable KEY", "disable KEY", "set-quota KEY N",
                           "rotate KEY", "delete KEY", "DATABASE_URL", "exit status"}) {
    EXPECT_NE(r.output.find(word), std::string::npos) << word;
  }
}

}  // namespace
}  // namespace imgflo::test
