// The distributed-mode rows of the configuration table.
#include "app/config.h"
#include "app/distributed.h"

#include <gtest/gtest.h>

namespace imgflo::app {
namespace {

TEST(BrokerConfig, DefaultsAreTheEmbeddedMode) {
  auto c = Config::load({}, {});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->broker.url.empty());
  EXPECT_EQ(c->broker.worker_mode, "internal");
  EXPECT_EQ(c->broker.worker_role, "all");
  EXPECT_EQ(c->broker.prefetch, 2);
  EXPECT_EQ(c->broker.topology.delivery_limit, 5);
}

TEST(BrokerConfig, EnvironmentFlagsAndTheOriginalsNames) {
  auto c = Config::load({{"CLOUDAMQP_URL", "amqp://u:p@cloud:5672/v"},
                         {"IMGFLO_WORKER", "external"},
                         {"IMGFLO_PREFETCH", "4"},
                         {"IMGFLO_BROKER_PREFIX", "staging_"}},
                        {"--role", "urgent", "--dead-letter-after", "3"});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->broker.url, "amqp://u:p@cloud:5672/v");
  EXPECT_EQ(c->broker.worker_mode, "external");
  const auto w = worker_options(*c, "test");
  EXPECT_TRUE(w.urgent);
  EXPECT_FALSE(w.background);
  EXPECT_EQ(w.prefetch, 4);
  EXPECT_EQ(w.topology.delivery_limit, 3);
  EXPECT_EQ(w.topology.job_queue(jobs::WorkerQueue::kUrgent), "staging_imgflo_urgentworker.JOB");
  EXPECT_EQ(w.amqp.url.host, "cloud");
  EXPECT_EQ(w.amqp.url.vhost, "v");
  // IMGFLO_BROKER_URL wins over CLOUDAMQP_URL; direct:// (the original's in-process broker) means none.
  auto both = Config::load({{"CLOUDAMQP_URL", "amqp://cloud/"}, {"IMGFLO_BROKER_URL", "amqp://mine/"}}, {});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->broker.url, "amqp://mine/");
  auto direct = Config::load({{"IMGFLO_BROKER_URL", "direct://imgflo3"}, {"IMGFLO_WORKER", "amqp"}}, {});
  ASSERT_TRUE(direct.ok());
  EXPECT_TRUE(direct->broker.url.empty());
  EXPECT_EQ(direct->broker.worker_mode, "external");  // the original's app.json value
}

TEST(BrokerConfig, OneDrainTimeoutForTheFrontendAndTheWorker) {
  auto defaults = Config::load({{"IMGFLO_BROKER_URL", "amqp://mine/"}}, {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->server.drain_timeout, std::chrono::seconds(30));
  EXPECT_EQ(worker_options(*defaults, "test").drain_timeout, std::chrono::seconds(30));
  auto c = Config::load({{"IMGFLO_BROKER_URL", "amqp://mine/"}, {"IMGFLO_DRAIN_TIMEOUT", "1.5"}}, {});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->server.drain_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(worker_options(*c, "test").drain_timeout, std::chrono::milliseconds(1500));
  EXPECT_NE(Config::help(Config::Program::worker).find("(IMGFLO_DRAIN_TIMEOUT)"), std::string::npos);
  auto bad = Config::load({}, {"--drain-timeout", "0"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("--drain-timeout must be seconds"), std::string::npos) << bad.error().message();
}

TEST(BrokerConfig, ProblemsAreReportedTogetherWithoutThePassword) {
  auto c = Config::load({{"IMGFLO_BROKER_URL", "amqp://u:topsecret@host:notaport/"},
                         {"IMGFLO_WORKER", "subprocess"},
                         {"IMGFLO_PREFETCH", "0"}},
                        {"--role", "films"});
  ASSERT_FALSE(c.ok());
  const std::string& m = c.error().message();
  EXPECT_NE(m.find("IMGFLO_BROKER_URL"), std::string::npos) << m;
  EXPECT_NE(m.find("IMGFLO_WORKER must be one of internal, external"), std::string::npos) << m;
  EXPECT_NE(m.find("IMGFLO_PREFETCH"), std::string::npos) << m;
  EXPECT_NE(m.find("--role must be one of urgent, background, both, video, all"), std::string::npos) << m;
  EXPECT_EQ(m.find("topsecret"), std::string::npos) << m;
}

TEST(BrokerConfig, HelpDocumentsEveryBrokerSetting) {
  const std::string server = Config::help(Config::Program::server);
  for (const char* s : {"IMGFLO_BROKER_URL", "IMGFLO_WORKER)", "IMGFLO_BROKER_PREFIX", "IMGFLO_PREFETCH",
                        "IMGFLO_DEAD_LETTER_AFTER"}) {
    EXPECT_NE(server.find(s), std::string::npos) << s;
  }
  const std::string worker = Config::help(Config::Program::worker);
  for (const char* s : {"IMGFLO_BROKER_URL", "IMGFLO_WORKER_ROLE", "IMGFLO_BROKER_PREFIX", "IMGFLO_PREFETCH",
                        "IMGFLO_DEAD_LETTER_AFTER", "IMGFLO_WORKERS", "IMGFLO_CACHE", "IMGFLO_REDIS_URL",
                        "AMAZON_API_BUCKET", "IMGFLO_MAX_PIXELS", "IMGFLO_FETCH_TIMEOUT"}) {
    EXPECT_NE(worker.find(s), std::string::npos) << s;
  }
}

TEST(BrokerConfig, EachHelpListsOnlyWhatItsProgramUses) {
  const std::string server = Config::help(Config::Program::server);
  const std::string worker = Config::help(Config::Program::worker);
  EXPECT_NE(server.find("usage: imgflo-server"), std::string::npos);
  EXPECT_NE(worker.find("usage: imgflo-worker"), std::string::npos);
  EXPECT_EQ(server.find("IMGFLO_WORKER_ROLE"), std::string::npos) << "--role is the worker's";
  for (const char* s : {"(PORT)", "IMGFLO_HTTP_THREADS", "IMGFLO_HOT_TTL", "IMGFLO_API_KEY", "IMGFLO_ADMIN_SECRET",
                        "IMGFLO_REQUEST_TIMEOUT", "IMGFLO_WORKER)", "IMGFLO_QUEUE_LIMIT"}) {
    EXPECT_NE(server.find(s), std::string::npos) << s;
    EXPECT_EQ(worker.find(s), std::string::npos) << s << " is the frontend's";
  }
  EXPECT_NE(worker.find("accepted too, and ignored"), std::string::npos);
}

TEST(BrokerConfig, TheWorkerStillAcceptsFrontendSettings) {
  auto c = Config::load({{"PORT", "9000"}, {"IMGFLO_WORKER_ROLE", "urgent"}}, {"--hot-ttl", "0"});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->server.port, 9000);
  EXPECT_EQ(c->broker.worker_role, "urgent");
}

// MsgFlo names of the video lane, like the others (jobs/amqp_topology.h).
TEST(BrokerConfig, TheVideoRoleHasMsgFloNamesLikeTheOthers) {
  jobs::Topology t;
  using jobs::WorkerQueue;
  EXPECT_EQ(t.worker_role(WorkerQueue::kVideo), "imgflo_videoworker");
  EXPECT_EQ(t.job_queue(WorkerQueue::kVideo), "imgflo_videoworker.JOB");
  EXPECT_EQ(t.dead_letter(WorkerQueue::kVideo), "dead-imgflo_videoworker.JOB");
  EXPECT_EQ(t.result_exchange(WorkerQueue::kVideo), "imgflo_videoworker.JOBRESULT");
  EXPECT_EQ(t.api_outport(WorkerQueue::kVideo), "imgflo_api.VIDEOJOB");
  EXPECT_EQ(t.api_outport(WorkerQueue::kUrgent), "imgflo_api.URGENTJOB");
  EXPECT_EQ(t.api_outport(WorkerQueue::kBackground), "imgflo_api.BACKGROUNDJOB");
  EXPECT_EQ(t.job_queue(WorkerQueue::kBackground), "imgflo_backgroundworker.JOB");
  const auto frontend = jobs::frontend_participant(t, "imgflo_api-1");
  ASSERT_EQ(frontend.outports.size(), 3u);
  EXPECT_EQ(frontend.outports[2].id, "videojob");
  EXPECT_EQ(frontend.outports[2].queue, "imgflo_api.VIDEOJOB");
  const auto worker = jobs::worker_participant(t, WorkerQueue::kVideo, "imgflo_videoworker-1");
  EXPECT_EQ(worker.role, "imgflo_videoworker");
  EXPECT_EQ(worker.inports[0].queue, "imgflo_videoworker.JOB");
  EXPECT_EQ(worker.outports[0].queue, "imgflo_videoworker.JOBRESULT");
  // Routing: video-lane jobs of either urgency go to the video queue.
  jobs::Job j;
  EXPECT_EQ(jobs::queue_for(j), WorkerQueue::kUrgent);
  j.urgency = jobs::Urgency::kBackground;
  EXPECT_EQ(jobs::queue_for(j), WorkerQueue::kBackground);
  j.lane = jobs::Lane::kVideo;
  EXPECT_EQ(jobs::queue_for(j), WorkerQueue::kVideo);
}

TEST(BrokerConfig, RolesChooseTheQueues) {
  struct Case {
    const char* role;
    bool urgent, background, video;
  };
  for (const Case& k : {Case{"urgent", true, false, false}, Case{"background", false, true, false},
                        Case{"both", true, true, false}, Case{"video", false, false, true},
                        Case{"all", true, true, true}}) {
    auto c = Config::load({{"IMGFLO_BROKER_URL", "amqp://x/"}, {"IMGFLO_VIDEO_WORKERS", "3"}}, {"--role", k.role});
    ASSERT_TRUE(c.ok()) << c.error().message();
    const auto w = worker_options(*c, "test");
    EXPECT_EQ(w.urgent, k.urgent) << k.role;
    EXPECT_EQ(w.background, k.background) << k.role;
    EXPECT_EQ(w.video, k.video) << k.role;
    EXPECT_EQ(w.video_threads, 3) << k.role;
  }
  EXPECT_FALSE(Config::load({}, {"--role", "films"}).ok());
  auto video = Config::load({{"IMGFLO_VIDEO_TIMEOUT", "1200"}, {"IMGFLO_VIDEO_QUEUE", "2"}}, {});
  ASSERT_TRUE(video.ok()) << video.error().message();
  EXPECT_EQ(video->handler.video_timeout, std::chrono::seconds(1200));
  EXPECT_EQ(video->jobs.video_queue_limit, 2u);
  auto defaults = Config::load({}, {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->handler.video_timeout, std::chrono::seconds(600));
  EXPECT_EQ(defaults->jobs.video_workers, 1);
}

}  // namespace
}  // namespace imgflo::app
