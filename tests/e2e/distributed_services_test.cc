// The production topology of the original on real services: frontends and
// imgflo-worker processes on RabbitMQ, the cache index in Redis, results in
// S3 (moto with SigV4 checking). What lands where is checked independently
// (redis-cli, aws s3api), not through our own code.
#include "core/digest.h"
#include "e2e/distributed_util.h"
#include "support/service_env.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <future>
#include <memory>
#include <set>

namespace imgflo::test {
namespace {

using namespace std::chrono_literals;

std::string run(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((cmd + " 2>&1").c_str(), "r"), pclose);
  std::string out;
  std::array<char, 512> buf{};
  while (fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string required(const std::string& name) {
  auto v = test_service(name);
  if (!v) throw std::runtime_error(missing_service_message(name));
  return *v;
}

class RedisS3 : public Distributed {
 protected:
  void SetUp() override {
    Distributed::SetUp();
    if (HasFatalFailure()) return;
    try {
      redis_ = required("IMGFLO_TEST_REDIS_URL");
      endpoint_ = required("IMGFLO_TEST_S3_ENDPOINT");
      bucket_ = required("IMGFLO_TEST_S3_BUCKET");
      key_id_ = required("IMGFLO_TEST_S3_KEY");
      secret_ = required("IMGFLO_TEST_S3_SECRET");
    } catch (const std::exception& e) {
      GTEST_FAIL() << e.what();
    }
  }

  // Settings shared by frontends and workers of this test (own Redis prefix and S3 folder).
  std::vector<std::string> service_args(const std::string& secret) const {
    return {"--cache", "redis-s3", "--redis-url", redis_, "--redis-prefix", prefix_ + "/",
            "--s3-endpoint", endpoint_, "--s3-bucket", bucket_, "--s3-key-id", key_id_,
            "--s3-secret", secret, "--s3-folder", prefix_};
  }
  ServerProcess& s3_frontend(const std::string& name, const std::string& secret = "") {
    return frontend(name, service_args(secret.empty() ? secret_ : secret));
  }
  ServerProcess& s3_worker(const std::string& name, const std::string& secret = "") {
    return worker(name, "both", 2, service_args(secret.empty() ? secret_ : secret));
  }
  std::string redis_cli(const std::string& args) const {
    const auto rest = redis_.substr(std::string("redis://").size());
    const auto colon = rest.find(':');
    return run("redis-cli -h " + rest.substr(0, colon) + " -p " + rest.substr(colon + 1) + " " + args);
  }
  std::string aws(const std::string& args) const {
    return run("AWS_ACCESS_KEY_ID=" + key_id_ + " AWS_SECRET_ACCESS_KEY=" + secret_ +
               " AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url " + endpoint_ + " " + args);
  }

  std::string redis_, endpoint_, bucket_, key_id_, secret_;
};

const std::string kCrop = "/graph/crop.png?input=files%2Fgridbear.jpg&cropwidth=50&cropheight=40";

TEST_F(RedisS3, ResultsLandInS3AndTheIndexInRedis) {
  s3_worker("w1");
  s3_worker("w2");
  ServerProcess& a = s3_frontend("a");
  ServerProcess& b = s3_frontend("b");
  const std::string path = kCrop + "&x=1";  // prefix_ keeps the key apart from other runs (Redis prefix, S3 folder)
  const HttpResult r = http_get(a.url(path));
  ASSERT_EQ(r.status, 301) << r.body;
  const std::string location = r.header("location");
  const std::string key = sha1_hex("/graph/crop" + path.substr(path.find('?'))) + ".png";
  EXPECT_EQ(location, endpoint_ + "/" + bucket_ + "/" + prefix_ + "/" + key);
  // The object exists in the bucket with its type and caching headers.
  const std::string head = aws("s3api head-object --bucket " + bucket_ + " --key " + prefix_ + "/" + key);
  EXPECT_NE(head.find("\"ContentType\": \"image/png\""), std::string::npos) << head;
  EXPECT_NE(head.find("immutable"), std::string::npos) << head;
  const auto local = scratch_dir("s3-download") / "x.png";
  aws("s3 cp s3://" + bucket_ + "/" + prefix_ + "/" + key + " " + local.string());
  EXPECT_EQ(read_file(local).substr(1, 3), "PNG");
  // Redis holds the index entry, with a TTL.
  EXPECT_EQ(redis_cli("GET '" + prefix_ + "/url/" + key + "'"), location);
  EXPECT_GT(std::stol(redis_cli("TTL '" + prefix_ + "/url/" + key + "'")), 0);
  // The other frontend answers from Redis without a job.
  const HttpResult via_b = http_get(b.url(path));
  EXPECT_EQ(via_b.status, 301);
  EXPECT_EQ(via_b.header("location"), location);
  EXPECT_EQ(metric(b, "imgflo_jobs_submitted_total"), 0u);
}

TEST_F(RedisS3, IdenticalRequestsThroughTwoFrontendsRunOneJob) {
  TestOrigin origin("127.0.0.1");
  origin.on("/slow.jpg", slow_jpeg(800ms));
  s3_worker("w1");
  s3_worker("w2");
  ServerProcess& a = s3_frontend("a");
  ServerProcess& b = s3_frontend("b");
  const std::string path = "/graph/passthrough.png?ignored=" + prefix_ + "&" + input_param(origin.url("/slow.jpg"));
  std::vector<std::future<HttpResult>> results;
  for (int i = 0; i < 12; ++i) {
    ServerProcess& via = i % 2 ? a : b;
    results.push_back(std::async(std::launch::async, [&via, &path] { return http_get(via.url(path)); }));
  }
  const std::set<std::string> locations = all_redirects(results);
  EXPECT_EQ(locations.size(), 1u);
  EXPECT_EQ(origin.hits("/slow.jpg"), 1);  // one download, one graph run, across both frontends
}

TEST_F(RedisS3, AWrongSecretIsAClearErrorWithDetailsInTheLog) {
  ServerProcess& worker = s3_worker("w1", "not-the-secret");
  ServerProcess& a = s3_frontend("a", "not-the-secret");
  const HttpResult r = http_get(a.url(kCrop + "&y=1"));
  EXPECT_EQ(r.status, 503) << r.body;
  const auto j = r.json();
  // The client gets a stable message and an id; S3's text (bucket, key, endpoint) stays in the log.
  ASSERT_TRUE(j.contains("error_id")) << r.body;
  EXPECT_EQ(r.body.find("SignatureDoesNotMatch"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("imgflo"), std::string::npos) << r.body;  // neither bucket nor object key
  EXPECT_EQ(r.body.find("not-the-secret"), std::string::npos);
  const std::string log = worker.log();
  const size_t logged = log.find(j["error_id"].get<std::string>());
  ASSERT_NE(logged, std::string::npos) << log;
  EXPECT_NE(log.find("SignatureDoesNotMatch", logged), std::string::npos) << log;
  EXPECT_EQ(log.find("not-the-secret"), std::string::npos);
  // Nothing was recorded as stored.
  EXPECT_EQ(redis_cli("KEYS '" + prefix_ + "/url/*'"), "");
}

}  // namespace
}  // namespace imgflo::test
