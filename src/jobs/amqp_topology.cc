#include "jobs/amqp_topology.h"
#include "core/json.h"

#include <cstdio>
#include <functional>
#include <random>

namespace imgflo::jobs {

WorkerQueue queue_for(const Job& job) {
  if (job.lane == Lane::kVideo) return WorkerQueue::kVideo;
  return job.urgency == Urgency::kUrgent ? WorkerQueue::kUrgent : WorkerQueue::kBackground;
}

const char* queue_name(WorkerQueue q) {
  switch (q) {
    case WorkerQueue::kUrgent: return "urgent";
    case WorkerQueue::kBackground: return "background";
    case WorkerQueue::kVideo: return "video";
  }
  return "urgent";
}

std::string Topology::worker_role(WorkerQueue q) const { return prefix + "imgflo_" + queue_name(q) + "worker"; }

std::string Topology::api_outport(WorkerQueue q) const {
  std::string port = queue_name(q);
  for (char& ch : port) ch = static_cast<char>(ch - 'a' + 'A');
  return api_role() + "." + port + "JOB";
}

Status Topology::declare_jobs(broker::AmqpConnection& c, WorkerQueue u) const {
  const std::string queue = job_queue(u), dead = dead_letter(u);
  broker::QueueSpec dead_queue;
  dead_queue.name = dead;
  broker::QueueSpec jobs;
  jobs.name = queue;
  jobs.arguments = {{"x-queue-type", std::string("quorum")},
                    {"x-dead-letter-exchange", dead},
                    {"x-delivery-limit", static_cast<int64_t>(delivery_limit)}};
  const std::vector<std::function<Status()>> steps = {
      [&] { return c.declare_exchange(dead); },
      [&] { return c.declare_queue(dead_queue); },
      [&] { return c.bind_queue(dead, dead); },
      [&] { return c.declare_queue(jobs); },
      [&] { return c.declare_exchange(queue); },
      [&] { return c.bind_queue(queue, queue); },
      [&] { return c.declare_exchange(api_outport(u)); },
      [&] { return c.bind_queue(queue, api_outport(u)); },
      [&] { return c.declare_exchange(result_exchange(u)); },
  };
  for (const auto& step : steps) {
    if (Status st = step(); !st.ok()) {
      return Error(ErrorKind::kUnavailable,
                   st.error().message() + " (a job queue that already exists must have the same arguments: "
                                          "the same IMGFLO_DEAD_LETTER_AFTER on every frontend and worker)");
    }
  }
  return ok_status();
}

Status Topology::check_result_queue(broker::AmqpConnection& c, const std::string& participant_id) const {
  broker::QueueSpec q;
  q.name = result_queue(participant_id);
  q.durable = false;
  q.exclusive = true;
  q.auto_delete = true;
  return c.declare_queue(q);
}

Status Topology::declare_result_queue(broker::AmqpConnection& c, const std::string& participant_id) const {
  if (Status st = check_result_queue(c, participant_id); !st.ok()) return st;
  for (WorkerQueue u : kWorkerQueues) {
    if (Status st = c.declare_exchange(result_exchange(u)); !st.ok()) return st;
    if (Status st = c.bind_queue(result_queue(participant_id), result_exchange(u)); !st.ok()) return st;
  }
  return ok_status();
}

Participant frontend_participant(const Topology& t, const std::string& id) {
  Participant p;
  p.id = id;
  p.role = t.api_role();
  p.component = "imgflo-server/HttpApi";
  p.label = "imgflo HTTP frontend: publishes image and video jobs, answers clients with their results";
  p.icon = "cloud";
  p.inports = {{"jobresult", Topology::result_queue(id)}};
  p.outports = {{"urgentjob", t.api_outport(WorkerQueue::kUrgent)},
                {"backgroundjob", t.api_outport(WorkerQueue::kBackground)},
                {"videojob", t.api_outport(WorkerQueue::kVideo)}};
  return p;
}

Participant worker_participant(const Topology& t, WorkerQueue u, const std::string& id) {
  const bool video = u == WorkerQueue::kVideo;
  Participant p;
  p.id = id;
  p.role = t.worker_role(u);
  p.component = video ? "imgflo-server/ProcessVideo" : "imgflo-server/ProcessImage";
  p.label = video ? "imgflo video worker: runs graphs on videos, stores the results"
                  : "imgflo worker: runs image graphs, stores the results";
  p.icon = video ? "film" : "picture-o";
  p.inports = {{"job", t.job_queue(u)}};
  p.outports = {{"jobresult", t.result_exchange(u)}};
  return p;
}

nlohmann::json discovery_message(const Participant& p) {
  auto ports = [](const std::vector<Participant::Port>& list) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& port : list) a.push_back({{"id", port.id}, {"queue", port.queue}, {"type", port.type}});
    return a;
  };
  return {{"protocol", "discovery"},
          {"command", "participant"},
          {"payload",
           {{"id", p.id},
            {"role", p.role},
            {"component", p.component},
            {"label", p.label},
            {"icon", p.icon},
            {"inports", ports(p.inports)},
            {"outports", ports(p.outports)}}}};
}

Status announce(broker::AmqpConnection& c, const Participant& p) {
  if (Status st = c.declare_exchange(kDiscoveryExchange); !st.ok()) return st;
  const std::string body = dump_json(discovery_message(p));
  broker::Outgoing message;
  message.body = body;
  message.persistent = false;
  auto seq = c.publish(kDiscoveryExchange, "", message);
  if (!seq.ok()) return seq.take_error();
  return ok_status();
}

std::string new_participant_id(const std::string& role) {
  std::random_device rd;
  const uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(v));
  return role + "-" + hex;
}

}  // namespace imgflo::jobs
