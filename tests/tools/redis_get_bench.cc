// Latency and throughput of RedisCacheIndex::get() (cached hits) from one
// thread issuing asynchronous gets, with at most `window` outstanding.
//   build/redis_get_bench [--n 20000] [--window 64] [--connections 2] [--url redis://...]
// The URL defaults to IMGFLO_TEST_REDIS_URL (env or build/test-services/services.env).
// Prints p50/p99/max of submit->callback latency, of the get() call itself,
// and gets per second.
#include "cache/redis_cache_index.h"
#include "support/service_env.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace imgflo;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  int n = 20000;
  int window = 64;
  int connections = 2;
  std::string url;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--n")) a.n = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--window")) a.window = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--connections")) a.connections = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--url")) a.url = argv[i + 1];
  }
  if (a.url.empty()) a.url = test::test_service("IMGFLO_TEST_REDIS_URL").value_or("");
  return a;
}

double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  if (args.url.empty()) {
    std::fprintf(stderr, "%s\n", test::missing_service_message("IMGFLO_TEST_REDIS_URL").c_str());
    return 2;
  }
  cache::RedisClientOptions o;
  auto ep = cache::parse_redis_url(args.url);
  if (!ep.ok()) return std::fprintf(stderr, "%s\n", ep.error().message().c_str()), 2;
  o.endpoint = *ep;
  o.connections = args.connections;
  auto client = cache::RedisClient::create(o);
  if (!client.ok()) return std::fprintf(stderr, "%s\n", client.error().message().c_str()), 2;
  cache::RedisCacheIndex index(*client, {std::chrono::seconds(300), "imgflo_bench/"});
  constexpr int kKeys = 100;
  for (int k = 0; k < kKeys; ++k) {
    if (auto st = index.put("k" + std::to_string(k) + ".jpg", "https://cdn.example/k.jpg"); !st.ok()) {
      return std::fprintf(stderr, "%s\n", st.error().message().c_str()), 1;
    }
  }
  std::vector<double> latency_us(static_cast<size_t>(args.n)), call_us(static_cast<size_t>(args.n));
  std::atomic<int> outstanding{0}, done{0}, failed{0};
  const auto start = Clock::now();
  for (int i = 0; i < args.n; ++i) {
    while (outstanding.load() >= args.window) std::this_thread::yield();
    ++outstanding;
    const auto t0 = Clock::now();
    index.get("k" + std::to_string(i % kKeys) + ".jpg", [&, i, t0](Result<std::optional<std::string>> r) {
      latency_us[static_cast<size_t>(i)] = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
      if (!r.ok() || !r->has_value()) ++failed;
      ++done;
      --outstanding;
    });
    call_us[static_cast<size_t>(i)] = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  }
  while (done.load() < args.n) std::this_thread::yield();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("gets=%d window=%d connections=%d failed=%d\n", args.n, args.window, args.connections, failed.load());
  std::printf("latency submit->callback: p50 %.0f us  p99 %.0f us  max %.0f us\n", pct(latency_us, 0.5),
              pct(latency_us, 0.99), pct(latency_us, 1.0));
  std::printf("get() call itself:        p50 %.1f us  p99 %.1f us  max %.0f us\n", pct(call_us, 0.5),
              pct(call_us, 0.99), pct(call_us, 1.0));
  std::printf("throughput: %.0f gets/s\n", static_cast<double>(args.n) / secs);
  return failed.load() == 0 ? 0 : 1;
}
