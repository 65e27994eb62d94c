// The frontend's broker job system and the broker worker together, against
// a real RabbitMQ, with fake work: what only the broker variant does (an
// unreachable broker, per-urgency bounds, discovery, dead letters, jobs that
// survive a worker stopping mid-job, expiry by the frontend's clock). The
// JobSystem contract (round trips, coalescing, errors across the wire,
// withdrawal, urgent promotion, stats) runs in job_system_contract_test.cc.
#include "core/clock.h"
#include "core/digest.h"
#include "jobs/amqp_job_system.h"
#include "jobs/amqp_worker.h"
#include "support/broker_test.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace imgflo::test {
namespace {

// Polls `condition` every 10 ms until it holds or 5 s pass; whether it held.
template <class Condition>
bool eventually(Condition condition) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

using namespace std::chrono_literals;
using jobs::Job;
using jobs::Urgency;
using jobs::WorkerQueue;

// A valid cache key named after `name` (workers refuse messages whose key
// could not name a stored result).
std::string key_of(const std::string& name) { return sha1_hex(name) + ".jpg"; }

Job job(const std::string& name, Urgency u = Urgency::kUrgent) {
  Job j;
  j.id = jobs::new_job_id();
  j.key = key_of(name);
  j.graph = "passthrough";
  j.urgency = u;
  j.deadline_ms = jobs::now_epoch_ms() + 30'000;
  return j;
}

// Work that waits until opened (or stopped) and counts runs per key.
class Gate {
 public:
  jobs::WorkFunction work() {
    return [this](const Job& j, const Stop& stop) -> Result<std::string> {
      std::unique_lock lock(mu_);
      ++runs_[j.key];
      cv_.notify_all();
      while (!open_ && !stop.requested()) cv_.wait_for(lock, 10ms);  // polls the stop like real work
      if (auto e = stop.check()) return *e;
      return "/cache/" + j.key;
    };
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool wait_runs(const std::string& name, int n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return runs_[key_of(name)] >= n; });
  }
  int runs(const std::string& name) {
    std::lock_guard lock(mu_);
    return runs_[key_of(name)];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  std::map<std::string, int> runs_;
};

jobs::WorkFunction instant() {
  return [](const Job& j, const Stop&) -> Result<std::string> { return "/cache/" + j.key; };
}

class JobSystemTest : public BrokerTest {
 protected:
  jobs::AmqpJobOptions frontend_options() {
    jobs::AmqpJobOptions o;
    o.amqp = options("frontend");
    o.topology = topology_;
    o.queue_limit = 8;
    return o;
  }
  jobs::AmqpWorkerOptions worker_options(bool urgent = true, bool background = true) {
    jobs::AmqpWorkerOptions o;
    o.amqp = options("worker");
    o.topology = topology_;
    o.urgent = urgent;
    o.background = background;
    o.threads = 2;
    o.prefetch = 2;
    return o;
  }
  std::unique_ptr<jobs::AmqpJobSystem> frontend(jobs::AmqpJobOptions o) {
    auto f = std::make_unique<jobs::AmqpJobSystem>(std::move(o));
    f->start();
    EXPECT_TRUE(f->wait_connected(10s));
    return f;
  }
  std::unique_ptr<jobs::AmqpWorker> worker(jobs::WorkFunction work, jobs::AmqpWorkerOptions o) {
    auto w = std::make_unique<jobs::AmqpWorker>(std::move(work), std::move(o));
    w->start();
    EXPECT_TRUE(w->wait_connected(10s));
    return w;
  }
};

// Submits and returns a future of the callback's result.
std::future<Result<std::string>> submit(jobs::JobSystem& js, Job j, Result<uint64_t>* ticket = nullptr) {
  auto promise = std::make_shared<std::promise<Result<std::string>>>();
  auto future = promise->get_future();
  auto t = js.submit(std::move(j), [promise](Result<std::string> r) { promise->set_value(std::move(r)); });
  if (ticket) *ticket = t;
  if (!t.ok()) promise->set_value(t.error());
  return future;
}

TEST_F(JobSystemTest, UnreachableBrokerAnswers503AtOnce) {
  auto o = frontend_options();
  o.amqp.url.port = 1;
  jobs::AmqpJobSystem f(o);
  f.start();
  EXPECT_FALSE(f.wait_connected(200ms));
  const auto start = std::chrono::steady_clock::now();
  auto t = f.submit(job("x.jpg"), [](Result<std::string>) { ADD_FAILURE() << "no callback expected"; });
  EXPECT_LT(std::chrono::steady_clock::now() - start, 50ms);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind(), ErrorKind::kUnavailable);
  EXPECT_EQ(t.error().status(), 503);
  EXPECT_EQ(t.error().message().find("127.0.0.1"), std::string::npos);  // nothing internal for clients
}

// ping() (for /ready): a round trip on the frontend's channel when connected, kUnavailable at once when not.
TEST_F(JobSystemTest, PingIsAChannelRoundTrip) {
  auto f = frontend(frontend_options());
  for (int i = 0; i < 3; ++i) {
    Status st = f->ping(2s);
    EXPECT_TRUE(st.ok()) << st.error().message();
  }
  auto w = worker(instant(), worker_options());
  EXPECT_TRUE(submit(*f, job("after-ping")).get().ok()) << "the checks leave the channel working";
  f->stop();
  Status st = f->ping(2s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kUnavailable);
}

TEST_F(JobSystemTest, PingOfAnUnreachableBrokerIsUnavailableAtOnce) {
  auto o = frontend_options();
  o.amqp.url.port = 1;
  jobs::AmqpJobSystem f(o);
  f.start();
  const auto start = std::chrono::steady_clock::now();
  Status st = f.ping(2s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 50ms);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kUnavailable);
}

TEST_F(JobSystemTest, BackgroundLimitNeverRefusesUrgentJobs) {
  auto f = frontend(frontend_options());  // no worker: nothing is answered
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(f->submit(job("bg" + std::to_string(i), Urgency::kBackground), nullptr).ok());
  auto over = f->submit(job("bg-over", Urgency::kBackground), nullptr);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().kind(), ErrorKind::kOverloaded);
  EXPECT_TRUE(f->submit(job("urgent.jpg"), [](Result<std::string>) {}).ok());
  EXPECT_EQ(f->stats().rejected, 1u);
}

TEST_F(JobSystemTest, AnnouncesItselfToMsgFlo) {
  broker::AmqpConnection listener(options("msgflo"));
  ASSERT_TRUE(listener.ensure_connected().ok());
  ASSERT_TRUE(listener.declare_exchange(jobs::kDiscoveryExchange).ok());
  broker::QueueSpec q;
  q.name = name("fbp-listener");
  q.durable = false;
  q.exclusive = true;
  q.auto_delete = true;
  ASSERT_TRUE(listener.declare_queue(q).ok());
  ASSERT_TRUE(listener.bind_queue(q.name, jobs::kDiscoveryExchange).ok());
  ASSERT_TRUE(listener.consume(q.name, /*auto_ack=*/true).ok());
  auto f = frontend(frontend_options());
  // Other participants may announce on the shared exchange too: find ours.
  std::optional<nlohmann::json> ours;
  for (int i = 0; i < 50 && !ours; ++i) {
    auto d = next_delivery(listener, 2s);
    ASSERT_TRUE(d.has_value());
    auto m = nlohmann::json::parse(d->body);
    if (m["payload"]["id"] == f->participant_id()) ours = m;
  }
  ASSERT_TRUE(ours.has_value());
  EXPECT_EQ((*ours)["protocol"], "discovery");
  EXPECT_EQ((*ours)["command"], "participant");
  const auto& p = (*ours)["payload"];
  EXPECT_EQ(p["role"], prefix_ + "imgflo_api");
  EXPECT_EQ(p["inports"][0]["queue"], f->participant_id() + ".JOBRESULT");
  EXPECT_EQ(p["outports"][0]["queue"], prefix_ + "imgflo_api.URGENTJOB");
  EXPECT_EQ(p["outports"][1]["queue"], prefix_ + "imgflo_api.BACKGROUNDJOB");
  EXPECT_EQ(p["outports"][2]["queue"], prefix_ + "imgflo_api.VIDEOJOB");
  EXPECT_EQ(f->participant_id().rfind(prefix_ + "imgflo_api-", 0), 0u);
}

// Lanes over the broker: an image job whose input turns out to be a video is re-published by the
// image worker to the video queue and run by the video worker, its waiter moved to the video lane
// meanwhile (its image deadline no longer applies); a video-lane job goes to the video queue at once.
TEST_F(JobSystemTest, AnImageJobWithAVideoInputEndsOnTheVideoWorker) {
  auto images = worker(
      [](const Job& j, const Stop&) -> Result<std::string> {
        if (j.lane == jobs::Lane::kImage) return Error(ErrorKind::kVideoLane, "the input is a video");
        return Error(ErrorKind::kInternal, "an image worker ran a video-lane job");
      },
      worker_options(/*urgent=*/true, /*background=*/false));
  Gate videos_gate;
  auto video_options = worker_options(false, false);
  video_options.video = true;
  video_options.video_threads = 2;  // both video jobs are held at once
  auto videos = worker(videos_gate.work(), video_options);
  auto f = frontend(frontend_options());
  Job gif = job("gif-of-a-video");
  gif.video_deadline_ms = jobs::now_epoch_ms() + 30'000;
  Result<uint64_t> ticket = Error(ErrorKind::kInternal, "not submitted");
  auto r = submit(*f, gif, &ticket);
  ASSERT_TRUE(ticket.ok());
  ASSERT_TRUE(videos_gate.wait_runs("gif-of-a-video", 1));
  // The "video-lane" notice and the video worker's start race: poll the frontend's view.
  EXPECT_TRUE(eventually([&] { return f->lane(*ticket) == jobs::Lane::kVideo; }));
  EXPECT_EQ(f->stats().rerouted, 1u);
  EXPECT_EQ(f->stats().video_queued, 1u);
  Job movie = job("movie");
  movie.lane = jobs::Lane::kVideo;
  auto m = submit(*f, movie);
  ASSERT_TRUE(videos_gate.wait_runs("movie", 1));
  videos_gate.open();
  ASSERT_EQ(r.wait_for(10s), std::future_status::ready);
  auto result = r.get();
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(*result, "/cache/" + key_of("gif-of-a-video"));
  ASSERT_EQ(m.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(m.get().ok());
  EXPECT_EQ(images->stats().rerouted, 1u);
  EXPECT_EQ(images->stats().started, 1u) << "the video-lane job never reached the image worker";
  EXPECT_EQ(images->stats().succeeded + images->stats().failed, 0u) << "a move is no outcome";
  EXPECT_EQ(videos->stats().video_started, 2u);
  // A worker counts an outcome once its reply is published: the frontend may have it first.
  EXPECT_TRUE(eventually([&] { return videos->stats().succeeded == 2u; })) << videos->stats().succeeded;
}

// Nothing consumes the video queue (only image workers run): a video GET is answered 503 after
// the grace instead of waiting out its video deadline.
TEST_F(JobSystemTest, AVideoJobWithoutAVideoWorkerIs503AfterTheGrace) {
  auto images = worker(instant(), worker_options());
  auto o = frontend_options();
  o.no_video_worker_grace = 200ms;
  auto f = frontend(std::move(o));
  Job movie = job("movie-nobody-runs");
  movie.lane = jobs::Lane::kVideo;
  auto r = submit(*f, movie);
  ASSERT_EQ(r.wait_for(10s), std::future_status::ready);
  auto result = r.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind(), ErrorKind::kUnavailable);
  EXPECT_NE(result.error().message().find("no video worker"), std::string::npos) << result.error().message();
  EXPECT_EQ(images->stats().started, 0u);
}

TEST_F(JobSystemTest, MalformedJobsAreDeadLettered) {
  auto w = worker(instant(), worker_options());
  broker::AmqpConnection c(options("garbage"));
  ASSERT_TRUE(c.ensure_connected().ok());
  broker::Outgoing m;
  m.body = "{\"not\": \"a job\"}";
  ASSERT_TRUE(c.publish_confirmed(topology_.api_outport(WorkerQueue::kUrgent), "", m).ok());
  ASSERT_TRUE(c.consume(topology_.dead_letter(WorkerQueue::kUrgent)).ok());
  auto d = next_delivery(c);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->body, "{\"not\": \"a job\"}");
  EXPECT_EQ(w->stats().rejected, 1u);
}

TEST_F(JobSystemTest, AJobLeftUnfinishedByAStoppedWorkerIsRedelivered) {
  Gate stuck;
  auto first_options = worker_options();
  first_options.drain_timeout = 0ms;  // like being killed: no time to finish
  auto first = worker(stuck.work(), first_options);
  auto f = frontend(frontend_options());
  auto r = submit(*f, job("retry.jpg"));
  ASSERT_TRUE(stuck.wait_runs("retry.jpg", 1));
  first->stop();
  stuck.open();  // too late: its connection is closed, the outcome is dropped
  auto second = worker(instant(), worker_options());
  ASSERT_EQ(r.wait_for(10s), std::future_status::ready);
  auto result = r.get();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, "/cache/" + key_of("retry.jpg"));
  EXPECT_EQ(second->stats().redelivered, 1u);
  EXPECT_EQ(first->stats().succeeded, 0u);
}

// A graceful stop right after POSTs were answered 202: their jobs are published before the
// connection closes, so a worker started later runs them.
TEST_F(JobSystemTest, AStopPublishesTheJobsNotYetSent) {
  auto f = frontend(frontend_options());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(f->submit(job("post" + std::to_string(i), Urgency::kBackground), nullptr).ok());
  f->stop();  // at once: the I/O thread may not have sent them yet
  Gate gate;
  gate.open();
  auto w = worker(gate.work(), worker_options());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(gate.wait_runs("post" + std::to_string(i), 1)) << i;
}

TEST_F(JobSystemTest, ExpiredJobsAreAnsweredWithoutRunning) {
  Gate never;
  auto f = frontend(frontend_options());
  Job late = job("late.jpg");
  late.deadline_ms = jobs::now_epoch_ms() - 1;  // expired in the queue before any worker came
  auto r = submit(*f, late);
  auto w = worker(never.work(), worker_options());
  ASSERT_EQ(r.wait_for(10s), std::future_status::ready);
  auto result = r.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind(), ErrorKind::kTimeout);
  // The frontend's own sweep may answer first on a loaded machine; the worker still skips the job.
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (w->stats().expired == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(w->stats().expired, 1u);
  EXPECT_EQ(never.runs("late.jpg"), 0);
}

// No worker: only the frontend's sweep can answer, and it reads the injected clock.
TEST_F(JobSystemTest, TheFrontendAnswersAJobPastItsDeadlineByItsClock) {
  ManualClock clock;  // outlives the frontend
  auto o = frontend_options();
  o.clock = clock;
  auto f = frontend(o);
  Job j = job("expiring.jpg");
  j.deadline_ms = jobs::now_epoch_ms() + 60'000;
  auto r = submit(*f, j);
  EXPECT_EQ(f->stats().queued, 1u);
  clock.advance(62s);  // past the deadline and the sweep's grace; the I/O loop sweeps within its tick
  ASSERT_EQ(r.wait_for(10s), std::future_status::ready);
  auto result = r.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind(), ErrorKind::kTimeout);
  EXPECT_EQ(f->stats().queued, 0u);
  EXPECT_EQ(f->stats().failed, 1u);
}

}  // namespace
}  // namespace imgflo::test
