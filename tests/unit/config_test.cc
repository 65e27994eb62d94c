// app::Config: one pass over environment and flags into the parts' settings
// structs, defaults from those structs, every problem reported together.
// (The broker rows: broker_config_test.cc.)
#include "app/config.h"

#include <gtest/gtest.h>

#include <thread>

namespace imgflo::app {
namespace {

using Env = std::map<std::string, std::string>;

std::string problems_of(const Env& env, const std::vector<std::string>& args = {}) {
  auto c = Config::load(env, args);
  EXPECT_FALSE(c.ok()) << "accepted";
  return c.ok() ? std::string() : c.error().message();
}

const Env kS3 = {{"IMGFLO_CACHE", "s3"},
                 {"AMAZON_API_ID", "AKIDEXAMPLE"},
                 {"AMAZON_API_TOKEN", "s3cr3t"},
                 {"AMAZON_API_BUCKET", "imgflo-test"}};

Env with(Env env, const Env& more) {
  for (const auto& [k, v] : more) env[k] = v;
  return env;
}

TEST(Config, DefaultsAreThePartsOwn) {
  auto c = Config::load({}, {});
  ASSERT_TRUE(c.ok()) << c.error().message();
  const http::ServerOptions server;
  EXPECT_EQ(c->server.port, server.port);
  EXPECT_EQ(c->server.address, server.address);
  EXPECT_EQ(c->server.read_timeout, server.read_timeout);
  const http::HandlerOptions handler;
  EXPECT_EQ(c->handler.size_limit_megapixels, handler.size_limit_megapixels);
  EXPECT_EQ(c->handler.request_timeout, handler.request_timeout);
  EXPECT_EQ(c->handler.background_timeout, handler.background_timeout);
  EXPECT_EQ(c->handler.hot_ttl, handler.hot_ttl);
  const jobs::ProcessorOptions processor;
  EXPECT_EQ(c->processor.size_limit_megapixels, processor.size_limit_megapixels);
  EXPECT_EQ(c->processor.limits.max_pixels, runtime::DecodeLimits{}.max_pixels);
  EXPECT_EQ(c->processor.fetch.max_bytes, fetch::FetchOptions{}.max_bytes);
  EXPECT_EQ(c->processor.fetch.total_timeout, fetch::FetchOptions{}.total_timeout);
  EXPECT_EQ(c->jobs.queue_limit, jobs::LocalJobOptions{}.queue_limit);
  EXPECT_EQ(c->redis.ttl, cache::RedisIndexSettings{}.ttl);
  EXPECT_EQ(c->redis.prefix, cache::kDefaultRedisPrefix);
  EXPECT_EQ(c->redis.client.endpoint.port, 6379);
  EXPECT_EQ(c->s3.folder, storage::S3Config{}.folder);
  // The application's own choice: thread counts follow the CPUs (jobs: twice as many).
  const int cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(c->server.threads, cpus);
  EXPECT_EQ(c->jobs.workers, 2 * cpus);
  EXPECT_EQ(c->compute_threads, cpus);
}

TEST(Config, HelpShowsThePartsDefaults) {
  const std::string help = Config::help(Config::Program::server);
  const std::string port = "(PORT)\n      HTTP port; default " + std::to_string(http::ServerOptions{}.port);
  const std::vector<std::string> expected = {
      port, "(IMGFLO_SIZE_LIMIT)\n", "; default 25\n", "(IMGFLO_REQUEST_TIMEOUT)\n", "; default 30\n",
      "(IMGFLO_FETCH_MAX_BYTES)\n      largest input download in bytes; default 67108864\n",
      "(IMGFLO_MAX_PIXELS)\n", "; default 50000000\n", "(IMGFLO_REDIS_TTL)\n", "; default 86400\n",
      "(IMGFLO_COMPUTE_THREADS)\n", "REDISCLOUD_URL\n"};
  for (const std::string& line : expected) {
    EXPECT_NE(help.find(line), std::string::npos) << line << "\nnot in:\n" << help;
  }
}

TEST(Config, EachSettingLandsInItsPart) {
  auto c = Config::load({{"PORT", "9000"},
                         {"IMGFLO_CLIENT_TIMEOUT", "2.5"},
                         {"IMGFLO_SIZE_LIMIT", "4"},
                         {"IMGFLO_MAX_PIXELS", "1000"},
                         {"IMGFLO_FETCH_MAX_BYTES", "2048"},
                         {"IMGFLO_QUEUE_LIMIT", "3"},
                         {"IMGFLO_COMPUTE_THREADS", "3"},
                         {"IMGFLO_HOT_TTL", "0"},
                         {"HOSTNAME", "img.example"}},
                        {"--workers", "7", "--request-timeout", "12"});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->server.port, 9000);
  EXPECT_EQ(c->server.read_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(c->handler.size_limit_megapixels, 4);
  EXPECT_EQ(c->processor.size_limit_megapixels, 4) << "chained requests follow IMGFLO_SIZE_LIMIT";
  EXPECT_EQ(c->handler.request_timeout, std::chrono::seconds(12));
  EXPECT_EQ(c->handler.hot_ttl.count(), 0);
  EXPECT_EQ(c->handler.public_base, "http://img.example");
  EXPECT_EQ(c->processor.limits.max_pixels, 1000u);
  EXPECT_EQ(c->processor.fetch.max_bytes, 2048u);
  EXPECT_EQ(c->jobs.queue_limit, 3u);
  EXPECT_EQ(c->jobs.workers, 7);
  EXPECT_EQ(c->compute_threads, 3);
}

TEST(Config, AnimationLimits) {
  auto defaults = Config::load({}, {});
  ASSERT_TRUE(defaults.ok()) << defaults.error().message();
  EXPECT_EQ(defaults->processor.limits.max_frames, runtime::DecodeLimits{}.max_frames);
  EXPECT_EQ(defaults->processor.limits.max_animation_pixels, runtime::DecodeLimits{}.max_animation_pixels);
  auto c = Config::load({{"IMGFLO_MAX_FRAMES", "12"}}, {"--max-animation-pixels", "3000000"});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->processor.limits.max_frames, 12);
  EXPECT_EQ(c->processor.limits.max_animation_pixels, 3'000'000u);
  EXPECT_NE(problems_of({{"IMGFLO_MAX_FRAMES", "0"}}).find("IMGFLO_MAX_FRAMES"), std::string::npos);
  const std::string help = Config::help(Config::Program::worker);
  EXPECT_NE(help.find("IMGFLO_MAX_FRAMES"), std::string::npos);
  EXPECT_NE(help.find("IMGFLO_MAX_ANIMATION_PIXELS"), std::string::npos);
}

TEST(Config, RedisSettings) {
  auto c = Config::load({{"IMGFLO_CACHE", "redis-local"},
                         {"IMGFLO_REDIS_URL", "redis://:pw@h:6390/2"},
                         {"REDISCLOUD_URL", "redis://other:1"},
                         {"IMGFLO_REDIS_TTL", "120"},
                         {"IMGFLO_REDIS_PREFIX", "mine/"}},
                        {});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_TRUE(c->uses_redis());
  EXPECT_EQ(c->redis.client.endpoint.host, "h") << "IMGFLO_REDIS_URL wins over REDISCLOUD_URL";
  EXPECT_EQ(c->redis.client.endpoint.db, 2);
  EXPECT_EQ(c->redis.ttl, std::chrono::seconds(120));
  EXPECT_EQ(c->redis.prefix, "mine/");
  auto cloud = Config::load({{"REDISCLOUD_URL", "redis://u:p@cloud:1234"}, {"IMGFLO_REDIS_URL", ""}}, {});
  ASSERT_TRUE(cloud.ok()) << cloud.error().message();
  EXPECT_EQ(cloud->redis.client.endpoint.host, "cloud");
  EXPECT_EQ(cloud->redis.client.endpoint.port, 1234);
}

TEST(Config, S3Settings) {
  auto c = Config::load(with(kS3, {{"AMAZON_API_REGION", "eu-west-1"},
                                   {"IMGFLO_S3_FOLDER", "/results/v2/"},
                                   {"IMGFLO_S3_ADDRESSING", "path"},
                                   {"IMGFLO_S3_ENDPOINT", ""},
                                   {"IMGFLO_S3_CACHE_CONTROL", "max-age=86400"}}),
                        {});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_TRUE(c->uses_s3());
  EXPECT_EQ(c->s3.bucket, "imgflo-test");
  EXPECT_EQ(c->s3.region, "eu-west-1");
  EXPECT_EQ(c->s3.folder, "results/v2");
  EXPECT_EQ(c->s3.addressing, storage::S3Addressing::kPathStyle);
  EXPECT_TRUE(c->s3.endpoint.empty()) << "empty is the default";
  EXPECT_EQ(c->s3.cache_control, "max-age=86400");
  auto root = Config::load(with(kS3, {{"IMGFLO_S3_FOLDER", "/"}}), {});
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->s3.folder, "") << "'/' is the bucket's root";
}

TEST(Config, S3SettingsAreCheckedOnlyWhenResultsLiveInS3) {
  EXPECT_TRUE(Config::load({{"AMAZON_API_BUCKET", "Bad_Bucket"}}, {}).ok());
  const std::string m = problems_of({{"IMGFLO_CACHE", "redis-s3"}, {"AMAZON_API_BUCKET", "Bad_Bucket"}});
  for (const char* name : {"AMAZON_API_ID", "AMAZON_API_TOKEN", "AMAZON_API_BUCKET"}) {
    EXPECT_NE(m.find(name), std::string::npos) << name << " not in: " << m;
  }
}

TEST(Config, EveryProblemIsReportedInOneError) {
  const std::string m = problems_of(with(kS3, {{"PORT", "http"},
                                               {"IMGFLO_REDIS_URL", "memcached://x"},
                                               {"IMGFLO_REDIS_TTL", "-5"},
                                               {"AMAZON_API_REGION", "EU WEST"},
                                               {"IMGFLO_S3_ADDRESSING", "sideways"},
                                               {"AMAZON_API_TOKEN", "s3cr3t"},
                                               {"IMGFLO_BROKER_URL", "amqp://u:topsecret@host:notaport/"},
                                               {"IMGFLO_ALLOW_PRIVATE", "10.0.0.0/99"},
                                               {"IMGFLO_API_KEY", "k"},
                                               {"IMGFLO_COMPUTE_THREADS", "0"}}),
                                    {"--workers", "many", "--frob"});
  EXPECT_EQ(m.rfind("configuration: ", 0), 0u) << m;
  for (const char* expected :
       {"PORT must be an integer", "IMGFLO_REDIS_URL is invalid: invalid Redis URL", "IMGFLO_REDIS_TTL must be seconds",
        "AMAZON_API_REGION 'EU WEST'", "IMGFLO_S3_ADDRESSING must be one of path, virtual", "IMGFLO_BROKER_URL: ",
        "IMGFLO_ALLOW_PRIVATE: ", "IMGFLO_API_KEY and IMGFLO_API_SECRET go together", "IMGFLO_COMPUTE_THREADS must be",
        "--workers must be an integer", "unknown option --frob"}) {
    EXPECT_NE(m.find(expected), std::string::npos) << expected << "\nnot in: " << m;
  }
  for (const char* secret : {"s3cr3t", "topsecret"}) EXPECT_EQ(m.find(secret), std::string::npos) << m;
}

}  // namespace
}  // namespace imgflo::app

namespace imgflo::app {
namespace {

TEST(Config, ColourManagementFromEnvironmentAndFlag) {
  auto defaults = Config::load({}, {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->processor.limits.colour, runtime::ColourManagement::kIcc);
  auto legacy = Config::load({{"IMGFLO_COLOR_MANAGEMENT", "legacy"}}, {});
  ASSERT_TRUE(legacy.ok()) << legacy.error().message();
  EXPECT_EQ(legacy->processor.limits.colour, runtime::ColourManagement::kLegacy);
  auto flag = Config::load({{"IMGFLO_COLOR_MANAGEMENT", "legacy"}}, {"--color-management", "icc"});
  ASSERT_TRUE(flag.ok()) << flag.error().message();
  EXPECT_EQ(flag->processor.limits.colour, runtime::ColourManagement::kIcc);
  auto bad = Config::load({{"IMGFLO_COLOR_MANAGEMENT", "srgb"}}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("IMGFLO_COLOR_MANAGEMENT"), std::string::npos) << bad.error().message();
  for (auto program : {Config::Program::server, Config::Program::worker}) {
    const std::string help = Config::help(program);
    EXPECT_NE(help.find("IMGFLO_COLOR_MANAGEMENT"), std::string::npos);
    EXPECT_NE(help.find("--color-management"), std::string::npos);
  }
}

TEST(Config, MemoryLimitDefaultsToHalfTheMachineAndIsShownInHelp) {
  auto c = Config::load({}, {});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->processor.memory_limit, jobs::default_memory_limit(0.5));
  EXPECT_GT(c->processor.memory_limit, 0u);
  for (auto program : {Config::Program::server, Config::Program::worker}) {
    const std::string help = Config::help(program);
    EXPECT_NE(help.find("--memory-limit  (IMGFLO_MEMORY_LIMIT)"), std::string::npos);
    EXPECT_NE(help.find("50% of this machine's memory (cgroup limit, else MemTotal): " +
                        std::to_string(c->processor.memory_limit >> 20) + " MB here"),
              std::string::npos);
  }
}

TEST(Config, MemoryLimitInBytesSuffixesOrPercent) {
  EXPECT_EQ(parse_memory_limit("0"), 0u);
  EXPECT_EQ(parse_memory_limit("512M"), 512ull << 20);
  EXPECT_EQ(parse_memory_limit("2g"), 2ull << 30);
  EXPECT_EQ(parse_memory_limit("1T"), 1ull << 40);
  EXPECT_EQ(parse_memory_limit("65536K"), 64ull << 20);
  EXPECT_EQ(parse_memory_limit("104857600"), 100ull << 20);
  EXPECT_EQ(parse_memory_limit("25%"), jobs::default_memory_limit(0.25));
  for (const char* bad : {"", "abc", "-1G", "1.5G", "63M", "1000", "0%", "101%", "2000000T", "5X", "%"}) {
    EXPECT_FALSE(parse_memory_limit(bad)) << bad;
  }
  auto c = Config::load({{"IMGFLO_MEMORY_LIMIT", "3G"}}, {"--memory-limit", "256M"});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->processor.memory_limit, 256ull << 20);  // the flag wins
  ASSERT_TRUE(Config::load({{"IMGFLO_MEMORY_LIMIT", "0"}}, {}).ok());
  EXPECT_EQ(Config::load({{"IMGFLO_MEMORY_LIMIT", "0"}}, {})->processor.memory_limit, 0u);
  const std::string problems = problems_of({{"IMGFLO_MEMORY_LIMIT", "lots"}}, {"--memory-limit", "1K"});
  EXPECT_NE(problems.find("IMGFLO_MEMORY_LIMIT must be 0 (off)"), std::string::npos) << problems;
  EXPECT_NE(problems.find("--memory-limit must be 0 (off)"), std::string::npos) << problems;
}

}  // namespace
}  // namespace imgflo::app
