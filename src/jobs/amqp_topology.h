// imgflo's names and declarations on RabbitMQ, following MsgFlo's conventions
// as the original did (msgflo-nodejs 0.7, graphs/imgflo-server.fbp):
//
//   frontend (role imgflo_api, participant id imgflo_api-<id>)
//     outport exchange imgflo_api.URGENTJOB     --bound-->  queue imgflo_urgentworker.JOB
//     outport exchange imgflo_api.BACKGROUNDJOB --bound-->  queue imgflo_backgroundworker.JOB
//     outport exchange imgflo_api.VIDEOJOB      --bound-->  queue imgflo_videoworker.JOB
//     inport  queue imgflo_api-<id>.JOBRESULT (exclusive, auto-delete)
//               <--bound-- fanout exchanges imgflo_urgentworker.JOBRESULT, imgflo_backgroundworker.JOBRESULT,
//                           imgflo_videoworker.JOBRESULT
//   workers (roles imgflo_urgentworker, imgflo_backgroundworker, imgflo_videoworker) compete on their
//   role's queue and publish to their role's JOBRESULT exchange. Every inport queue also gets the
//   same-named fanout exchange (MsgFlo's inqueue convention) and the dead-letter exchange dead-<queue>.
//
// Lanes (jobs/job.h): image jobs go to the urgent or background queue by
// urgency, video-lane jobs (of either urgency) to the video queue
// (queue_for). An image worker whose job turns out to be a video publishes
// the job, moved to the video lane, to the video queue's exchange
// (imgflo_videoworker.JOB, confirmed), then a kVideoLane ("video-lane")
// outcome on its own result exchange (frontends then give the waiters the
// video deadline), then acks it: the job never leaves the broker's keeping.
//
// Job queues are durable quorum queues with x-delivery-limit: the broker
// counts every delivery that was not acked (a worker killed mid-job, a
// connection lost) in x-delivery-count and dead-letters the message to
// dead-<queue> (a durable queue of the same name) once the count passes the
// limit. Why quorum queues rather than classic ones plus a counter header we
// maintain by republishing: a job that kills its worker (the poison case)
// gives that worker no chance to republish anything, so a self-kept counter
// only works with a republish-before-processing dance (ack + republish on
// every redelivery: duplicates on a crash between the two, order lost);
// classic queues only say "redelivered", not how often. RabbitMQ 3.10 counts
// it for quorum queues and dead-letters by itself.
//
// Declarations are idempotent and made by every process with identical
// arguments (the frontend declares the worker queues too, so jobs published
// before any worker runs are kept). A queue that exists with other arguments
// (another delivery limit, or a classic queue of the same name) is refused by
// the broker; the error says so. `prefix` goes before every role name so
// several deployments (or test runs) can share one broker.
#pragma once

#include "broker/amqp_connection.h"
#include "jobs/job.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace imgflo::jobs {

// The job queues, one per worker role.
enum class WorkerQueue { kUrgent, kBackground, kVideo };
inline constexpr WorkerQueue kWorkerQueues[] = {WorkerQueue::kUrgent, WorkerQueue::kBackground, WorkerQueue::kVideo};
// The queue a job is published to: kVideo for a video-lane job, else by urgency.
WorkerQueue queue_for(const Job& job);
const char* queue_name(WorkerQueue q);  // "urgent", "background", "video"

struct Topology {
  std::string prefix;      // "" = the original's names
  int delivery_limit = 5;  // redeliveries of a job before it is dead-lettered

  std::string api_role() const { return prefix + "imgflo_api"; }
  std::string worker_role(WorkerQueue q) const;
  std::string job_queue(WorkerQueue q) const { return worker_role(q) + ".JOB"; }
  std::string dead_letter(WorkerQueue q) const { return "dead-" + job_queue(q); }
  std::string result_exchange(WorkerQueue q) const { return worker_role(q) + ".JOBRESULT"; }
  std::string api_outport(WorkerQueue q) const;
  static std::string result_queue(const std::string& participant_id) { return participant_id + ".JOBRESULT"; }

  // A worker role's job queue with its exchanges and dead-letter queue, the
  // frontend outport bound to it, and the role's result exchange.
  Status declare_jobs(broker::AmqpConnection& c, WorkerQueue q) const;
  // A frontend's private result queue, bound to every result exchange.
  Status declare_result_queue(broker::AmqpConnection& c, const std::string& participant_id) const;
  // Declares that result queue again, as it is (one round trip on the channel: AmqpJobSystem::ping).
  Status check_result_queue(broker::AmqpConnection& c, const std::string& participant_id) const;
};

// MsgFlo participant discovery: {"protocol": "discovery", "command":
// "participant", "payload": {id, role, component, label, icon, inports,
// outports}}, published to the fanout exchange "fbp" (durable, as
// msgflo-nodejs declares it); MsgFlo's coordinator binds its own queue there.
struct Participant {
  struct Port {
    std::string id, queue, type = "object";
  };
  std::string id, role, component, label, icon;
  std::vector<Port> inports, outports;
};
Participant frontend_participant(const Topology& t, const std::string& id);
Participant worker_participant(const Topology& t, WorkerQueue q, const std::string& id);
nlohmann::json discovery_message(const Participant& p);
Status announce(broker::AmqpConnection& c, const Participant& p);
inline constexpr const char* kDiscoveryExchange = "fbp";

// "<role>-<16 hex>": a participant id (MsgFlo's role-uuid shape).
std::string new_participant_id(const std::string& role);

}  // namespace imgflo::jobs
