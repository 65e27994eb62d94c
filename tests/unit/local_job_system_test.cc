// What only the in-process job system does: its queue order, the background
// lane's bound, dropping queued jobs, stopping running ones at their
// deadline, the video lane (its own threads and queue, jobs moved there). The JobSystem contract (coalescing, withdraw, limits, errors,
// stats) runs against it in job_system_contract_test.cc.
#include "jobs/local_job_system.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

namespace imgflo::jobs {
namespace {

using namespace std::chrono_literals;

Job job(const std::string& key, Urgency u = Urgency::kUrgent) {
  Job j;
  j.id = new_job_id();
  j.key = key;
  j.urgency = u;
  return j;
}

// Work that blocks until released (or stopped), recording the order jobs started in.
class Gate {
 public:
  Result<std::string> work(const Job& j, const Stop& stop) {
    {
      std::lock_guard lock(mu_);
      order_.push_back(j.key);
    }
    started_cv_.notify_all();
    std::unique_lock lock(mu_);
    while (!open_ && !stop.requested()) cv_.wait_for(lock, 10ms);  // polls the stop like real work
    if (auto e = stop.check()) return *e;
    return "/cache/" + j.key;
  }
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void wait_started(size_t n) {
    std::unique_lock lock(mu_);
    started_cv_.wait_for(lock, 5s, [&] { return order_.size() >= n; });
  }
  std::vector<std::string> order() {
    std::lock_guard lock(mu_);
    return order_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_, started_cv_;
  bool open_ = false;
  std::vector<std::string> order_;
};

// Polls `pred` for up to 5 s (the system under test runs on its own threads).
template <typename Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 500; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

TEST(LocalJobSystem, UrgentRunsBeforeQueuedBackground) {
  Gate gate;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return gate.work(j, s); }, {1, 8, {}});
  js.start();
  ASSERT_TRUE(js.submit(job("first"), [](Result<std::string>) {}).ok());
  gate.wait_started(1);
  ASSERT_TRUE(js.submit(job("bg1", Urgency::kBackground), nullptr).ok());
  ASSERT_TRUE(js.submit(job("bg2", Urgency::kBackground), nullptr).ok());
  ASSERT_TRUE(js.submit(job("urgent"), [](Result<std::string>) {}).ok());
  gate.open();
  ASSERT_TRUE(eventually([&] { return js.stats().succeeded == 4; }));
  auto order = gate.order();
  ASSERT_GE(order.size(), 2u);
  EXPECT_EQ(order[1], "urgent");
}

TEST(LocalJobSystem, BackgroundNeverTakesTheLastWorker) {
  Gate gate;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return gate.work(j, s); }, {2, 16, {}});
  js.start();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(js.submit(job("bg" + std::to_string(i), Urgency::kBackground), nullptr).ok());
  gate.wait_started(1);
  EXPECT_EQ(js.stats().running, 1u);
  // The proof that one of two workers stayed free: the urgent job starts while every background job is held.
  auto p = std::make_shared<std::promise<void>>();
  ASSERT_TRUE(js.submit(job("urgent"), [p](Result<std::string>) { p->set_value(); }).ok());
  gate.wait_started(2);
  EXPECT_EQ(gate.order()[1], "urgent");
  gate.open();
}

TEST(LocalJobSystem, WithdrawingTheLastWaiterCancels) {
  Gate gate;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return gate.work(j, s); }, {1, 8, {}});
  js.start();
  std::atomic<bool> called{false};
  auto running = js.submit(job("running"), [&](Result<std::string>) { called = true; });
  gate.wait_started(1);
  auto queued = js.submit(job("queued"), [&](Result<std::string>) { called = true; });
  js.withdraw(*queued);   // dropped from the queue without running
  js.withdraw(*running);  // the running job is stopped through its token
  js.stop();
  EXPECT_FALSE(called);
  EXPECT_EQ(gate.order(), (std::vector<std::string>{"running"}));
  EXPECT_EQ(js.stats().cancelled, 2u);
}

TEST(LocalJobSystem, WaitIdleWaitsForEveryAcceptedJobABackgroundOneToo) {
  Gate gate;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return gate.work(j, s); }, {1, 8, {}});
  js.start();
  ASSERT_TRUE(js.submit(job("get"), [](Result<std::string>) {}).ok());
  ASSERT_TRUE(js.submit(job("post", Urgency::kBackground), nullptr).ok());
  gate.wait_started(1);
  EXPECT_FALSE(js.wait_idle(Clock::now() + 20ms)) << "the deadline passed while a job was held";
  gate.open();
  EXPECT_TRUE(js.wait_idle(Clock::now() + 5s));
  EXPECT_EQ(js.stats().queued + js.stats().running, 0u);
  js.stop();
  EXPECT_EQ(js.stats().succeeded, 2u) << "nothing was cancelled by the stop";
  EXPECT_EQ(gate.order(), (std::vector<std::string>{"get", "post"}));
}

TEST(LocalJobSystem, DeadlineStopsTheWork) {
  Gate gate;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return gate.work(j, s); }, {1, 8, {}});
  js.start();
  Job j = job("slow");
  j.deadline_ms = now_epoch_ms() + 100;
  auto p = std::make_shared<std::promise<Result<std::string>>>();
  auto f = p->get_future();
  ASSERT_TRUE(js.submit(j, [p](Result<std::string> r) { p->set_value(std::move(r)); }).ok());
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);  // the real deadline is what is tested
  auto r = f.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kTimeout);
}

// ping() (for /ready): ok between start() and stop().
TEST(LocalJobSystem, PingWhileRunning) {
  LocalJobSystem jobs([](const Job& j, const Stop&) -> Result<std::string> { return "/cache/" + j.key; }, {});
  const auto unavailable = [&] {
    Status st = jobs.ping(10ms);
    return !st.ok() && st.error().kind() == ErrorKind::kUnavailable;
  };
  EXPECT_TRUE(unavailable()) << "not started";
  jobs.start();
  EXPECT_TRUE(jobs.ping(10ms).ok());
  jobs.stop();
  EXPECT_TRUE(unavailable()) << "stopped";
}

// Work for the lane tests: a key starting with "v" is a video input, so the image lane answers
// kVideoLane for it (as the processor does); everything else waits at the gate.
Result<std::string> video_aware(Gate& gate, const Job& j, const Stop& s) {
  if (j.lane == Lane::kImage && j.key.starts_with("v")) return Error(ErrorKind::kVideoLane, "a video");
  return gate.work(j, s);
}

std::shared_ptr<std::promise<Result<std::string>>> waiter() {
  return std::make_shared<std::promise<Result<std::string>>>();
}

// The kind of the error `j` ends with (within 5 s); nullopt when it succeeded or never ended.
std::optional<ErrorKind> failure_of(LocalJobSystem& js, Job j) {
  auto p = waiter();
  auto f = p->get_future();
  if (!js.submit(std::move(j), [p](Result<std::string> r) { p->set_value(std::move(r)); }).ok()) return std::nullopt;
  if (f.wait_for(5s) != std::future_status::ready) return std::nullopt;
  auto r = f.get();
  return r.ok() ? std::nullopt : std::optional<ErrorKind>(r.error().kind());
}

TEST(LocalJobSystem, ImagesNeverWaitBehindAVideo) {
  Gate video_gate;
  LocalJobSystem js(
      [&](const Job& j, const Stop& s) -> Result<std::string> {
        if (j.lane == Lane::kVideo) return video_gate.work(j, s);
        return "/cache/" + j.key;
      },
      {1, 8, {}});
  js.start();
  Job video = job("movie");
  video.lane = Lane::kVideo;
  ASSERT_TRUE(js.submit(video, [](Result<std::string>) {}).ok());
  video_gate.wait_started(1);
  EXPECT_EQ(js.stats().video_running, 1u);
  // The single image thread is free: an image job runs while the video is held.
  auto p = waiter();
  auto f = p->get_future();
  ASSERT_TRUE(js.submit(job("still"), [p](Result<std::string> r) { p->set_value(std::move(r)); }).ok());
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(f.get().ok());
  EXPECT_EQ(js.stats().video_running, 1u) << "the video was still running";
  video_gate.open();
  EXPECT_TRUE(js.wait_idle(Clock::now() + 5s));
}

TEST(LocalJobSystem, AnImageJobWithAVideoInputMovesToTheVideoLane) {
  Gate gate;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return video_aware(gate, j, s); }, {1, 8, {}});
  js.start();
  Job j = job("v-input");
  j.deadline_ms = now_epoch_ms() - 1;              // the image budget: over before it runs as a video
  j.video_deadline_ms = now_epoch_ms() + 30'000;   // what it gets once moved
  auto p = waiter();
  auto f = p->get_future();
  auto ticket = js.submit(j, [p](Result<std::string> r) { p->set_value(std::move(r)); });
  ASSERT_TRUE(ticket.ok());
  gate.wait_started(1);  // only video-lane runs reach the gate
  EXPECT_EQ(js.lane(*ticket), Lane::kVideo);
  EXPECT_EQ(js.stats().video_running, 1u);
  EXPECT_EQ(js.stats().rerouted, 1u);
  // Coalescing still holds after the move: the same key joins the moved job.
  ASSERT_TRUE(js.submit(job("v-input"), [](Result<std::string>) {}).ok());
  EXPECT_EQ(js.stats().coalesced, 1u);
  gate.open();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  auto r = f.get();
  ASSERT_TRUE(r.ok()) << r.error().message() << " (the video deadline applies after the move)";
  EXPECT_EQ(*r, "/cache/v-input");
  EXPECT_EQ(gate.order(), (std::vector<std::string>{"v-input"})) << "run once, in the video lane";
}

TEST(LocalJobSystem, TheVideoQueueHasItsOwnLimit) {
  Gate gate;
  LocalJobOptions o{1, 8, {}};
  o.video_queue_limit = 1;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return video_aware(gate, j, s); }, o);
  js.start();
  auto video = [](const std::string& key) {
    Job j = job(key);
    j.lane = Lane::kVideo;
    return j;
  };
  ASSERT_TRUE(js.submit(video("running"), [](Result<std::string>) {}).ok());
  gate.wait_started(1);
  ASSERT_TRUE(js.submit(video("queued"), [](Result<std::string>) {}).ok());
  auto over = js.submit(video("over"), [](Result<std::string>) {});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().kind(), ErrorKind::kOverloaded);
  // An image job moved there while the video queue is full is answered 503, not lost.
  EXPECT_EQ(failure_of(js, job("v-moved")), ErrorKind::kOverloaded);
  EXPECT_TRUE(js.submit(job("image"), nullptr).ok()) << "the image queue is another";
  gate.open();
  EXPECT_TRUE(js.wait_idle(Clock::now() + 5s));
}

// A broker worker's pool: kVideoLane is the job's outcome (the worker re-publishes it), and a
// pool without video threads refuses video-lane jobs instead of queueing them forever.
TEST(LocalJobSystem, WithoutMovingTheVideoLaneAnswerIsTheOutcome) {
  Gate gate;
  LocalJobOptions o{1, 8, {}};
  o.video_workers = 0;
  o.move_to_video_lane = false;
  LocalJobSystem js([&](const Job& j, const Stop& s) { return video_aware(gate, j, s); }, o);
  js.start();
  EXPECT_EQ(failure_of(js, job("v-input")), ErrorKind::kVideoLane);
  Job video = job("movie");
  video.lane = Lane::kVideo;
  auto refused = js.submit(video, [](Result<std::string>) {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind(), ErrorKind::kUnavailable);
}

// The routing rule of the frontend (jobs/job.h, lane_for): the URL alone.
TEST(Lanes, TheUrlChoosesTheVideoLaneForVideoOutputsAndParameters) {
  auto of = [](const std::string& out_type, request::Params params) {
    Job j = job("k");
    j.out_type = out_type;
    j.params = std::move(params);
    return lane_for(j);
  };
  EXPECT_EQ(of("mp4", {}), Lane::kVideo);
  EXPECT_EQ(of("jpg", {{"video_bitrate", "500000"}}), Lane::kVideo);
  EXPECT_EQ(of("gif", {{"width", "10"}, {"video_framerate", "10"}}), Lane::kVideo);
  EXPECT_EQ(of("gif", {{"width", "10"}}), Lane::kImage) << "a gif of a video is found out later";
  EXPECT_EQ(of("jpg", {{"frame", "3"}}), Lane::kImage);
  EXPECT_EQ(of("", {}), Lane::kImage);
  Job j = job("k");
  j.deadline_ms = 1;
  j.video_deadline_ms = 2;
  const Job moved = to_video_lane(j);
  EXPECT_EQ(moved.lane, Lane::kVideo);
  EXPECT_EQ(moved.deadline_ms, 2);
  j.video_deadline_ms = 0;
  EXPECT_EQ(to_video_lane(j).deadline_ms, 1) << "no video deadline: the job keeps its own";
}

TEST(Job, JsonRoundTrip) {
  Job j = job("b5774b2bd2c5c94535432dec55a205a712bc5326.png", Urgency::kBackground);  // messages carry cache keys
  j.graph = "crop";
  j.out_type = "png";
  j.params = {{"x", "1"}, {"x", "2"}};
  j.input = "files/a.jpg";
  j.depth = 2;
  j.deadline_ms = 123;
  j.lane = Lane::kVideo;
  j.video_deadline_ms = 456;
  auto back = job_from_json(to_json(j));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(to_json(*back), to_json(j));
  EXPECT_EQ(back->lane, Lane::kVideo);
  EXPECT_EQ(back->video_deadline_ms, 456);
  // Messages of older frontends have neither: the image lane, no video deadline.
  auto old = to_json(j);
  old.erase("lane");
  old.erase("video_deadline_ms");
  auto older = job_from_json(old);
  ASSERT_TRUE(older.ok());
  EXPECT_EQ(older->lane, Lane::kImage);
  EXPECT_EQ(older->video_deadline_ms, 0);
  EXPECT_FALSE(job_from_json(nlohmann::json{{"id", 1}}).ok());
}

}  // namespace
}  // namespace imgflo::jobs
