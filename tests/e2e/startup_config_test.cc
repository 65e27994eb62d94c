// Start-up with a broken configuration: imgflo-server and imgflo-worker stop
// before anything runs (no port bound, no service contacted), exit 1 and list
// every problem at once, without the secrets.
#include "support/paths.h"
#include "support/proc_stats.h"
#include "support/service_env.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>

namespace imgflo::test {
namespace {

using namespace std::chrono_literals;

// Several problems in several parts: HTTP, Redis, S3 (results in S3), broker, auth, fetch.
const std::map<std::string, std::string> kBroken = {
    {"PORT", "http"},
    {"IMGFLO_CACHE", "redis-s3"},
    {"IMGFLO_REDIS_URL", "memcached://cache:11211"},
    {"AMAZON_API_ID", "AKIDEXAMPLE"},
    {"AMAZON_API_TOKEN", "s3cr3t-token"},
    {"AMAZON_API_BUCKET", "Bad_Bucket"},
    {"IMGFLO_BROKER_URL", "amqp://u:topsecret@broker:notaport/"},
    {"IMGFLO_API_KEY", "key-without-secret"},
    {"IMGFLO_FETCH_TIMEOUT", "-1"},
};

const char* const kNamed[] = {"PORT", "IMGFLO_REDIS_URL", "AMAZON_API_BUCKET", "IMGFLO_BROKER_URL",
                              "IMGFLO_API_SECRET", "IMGFLO_FETCH_TIMEOUT"};

void expect_refused(const std::string& program, const std::vector<std::string>& args) {
  SCOPED_TRACE(program);
  const auto dir = scratch_dir("broken-config-" + program);
  ChildProcess child(binary_dir() / program, args, kBroken, dir / "out.log");
  const auto status = child.wait_exit(30s);
  ASSERT_TRUE(status.has_value()) << program << " is running with a broken configuration:\n" << child.log();
  EXPECT_FALSE(status->signalled) << status->describe();
  EXPECT_EQ(status->code, 1) << child.log();
  const std::string log = child.log();
  EXPECT_NE(log.find(program + ": configuration: "), std::string::npos) << log;
  for (const char* name : kNamed) EXPECT_NE(log.find(name), std::string::npos) << name << " not in:\n" << log;
  for (const char* secret : {"s3cr3t-token", "topsecret"}) EXPECT_EQ(log.find(secret), std::string::npos) << log;
  EXPECT_EQ(log.find("listening"), std::string::npos) << log;
}

TEST(StartupConfig, TheServerListsEveryProblemAndExits1) {
  expect_refused("imgflo-server", {"--address", "127.0.0.1", "--workdir", (scratch_dir("broken-work") / "w").string()});
}

TEST(StartupConfig, TheWorkerListsEveryProblemAndExits1) {
  expect_refused("imgflo-worker", {"--workdir", (scratch_dir("broken-worker-work") / "w").string()});
}

// DATABASE_URL: malformed (a configuration problem), or well-formed but not a database.
TEST(StartupConfig, AMalformedDatabaseUrlIsAConfigurationProblem) {
  const auto dir = scratch_dir("broken-database-url");
  ChildProcess child(binary_dir() / "imgflo-server",
                     {"--address", "127.0.0.1", "--port", "0", "--workdir", (dir / "w").string()},
                     {{"DATABASE_URL", "mysql://app:dbs3cret@db/apps"}}, dir / "out.log");
  const auto status = child.wait_exit(30s);
  ASSERT_TRUE(status.has_value()) << child.log();
  EXPECT_EQ(status->code, 1) << child.log();
  EXPECT_NE(child.log().find("configuration: DATABASE_URL"), std::string::npos) << child.log();
  EXPECT_EQ(child.log().find("dbs3cret"), std::string::npos) << child.log();
  EXPECT_EQ(child.log().find("listening"), std::string::npos) << child.log();
}

void expect_no_database(const std::string& program, std::vector<std::string> args,
                        std::map<std::string, std::string> env) {
  SCOPED_TRACE(program);
  const auto dir = scratch_dir("no-database-" + program);
  const auto not_a_database = dir / "not-a-database.db";
  std::ofstream(not_a_database) << std::string(8192, 'x');
  env["DATABASE_URL"] = "sqlite://" + not_a_database.string();
  ChildProcess child(binary_dir() / program, args, env, dir / "out.log");
  const auto status = child.wait_exit(30s);
  ASSERT_TRUE(status.has_value()) << program << " runs without its applications database:\n" << child.log();
  EXPECT_EQ(status->code, 1) << child.log();
  EXPECT_NE(child.log().find(program + ": applications database sqlite://"), std::string::npos) << child.log();
  EXPECT_EQ(child.log().find("listening"), std::string::npos) << child.log();
  EXPECT_EQ(child.log().find("worker ready"), std::string::npos) << child.log();
}

TEST(StartupConfig, TheServerAndTheWorkerExit1WhenTheDatabaseCannotBeOpened) {
  expect_no_database("imgflo-server",
                     {"--address", "127.0.0.1", "--port", "0", "--workdir",
                      (scratch_dir("no-database-work") / "w").string()},
                     {});
  expect_no_database("imgflo-worker", {"--workdir", (scratch_dir("no-database-worker-work") / "w").string()},
                     {{"IMGFLO_BROKER_URL", "amqp://guest:guest@127.0.0.1:" + std::to_string(closed_port()) + "/"}});
}

}  // namespace
}  // namespace imgflo::test
