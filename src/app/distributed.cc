#include "app/distributed.h"

#include "app/vips_init.h"

namespace imgflo::app {

broker::AmqpOptions amqp_options(const Config& config, const std::string& connection_name) {
  broker::AmqpOptions o;
  auto url = broker::parse_broker_url(config.broker.url);
  if (url.ok()) o.url = std::move(*url);
  o.name = connection_name;
  return o;
}

jobs::AmqpJobOptions job_system_options(const Config& config) {
  jobs::AmqpJobOptions o;
  o.amqp = amqp_options(config, "imgflo-server");
  o.topology = config.broker.topology;
  // Unanswered jobs per urgency: waiting anywhere or running. In-process workers add their threads, so
  // IMGFLO_QUEUE_LIMIT keeps its embedded meaning there (jobs beyond those running).
  const bool internal = config.broker.worker_mode == "internal";
  o.queue_limit = config.jobs.queue_limit + (internal ? config.jobs.workers : 0);
  o.video_queue_limit = config.jobs.video_queue_limit + (internal ? config.jobs.video_workers : 0);
  return o;
}

jobs::AmqpWorkerOptions worker_options(const Config& config, const std::string& connection_name) {
  jobs::AmqpWorkerOptions o;
  o.amqp = amqp_options(config, connection_name);
  o.topology = config.broker.topology;
  const std::string& role = config.broker.worker_role;
  o.urgent = role == "urgent" || role == "both" || role == "all";
  o.background = role == "background" || role == "both" || role == "all";
  o.video = role == "video" || role == "all";
  o.video_threads = config.jobs.video_workers;
  o.prefetch = config.broker.prefetch;
  o.threads = config.jobs.workers;
  o.drain_timeout = config.server.drain_timeout;  // IMGFLO_DRAIN_TIMEOUT, as the frontend's
  o.on_thread_exit = vips_thread_done;
  return o;
}

}  // namespace imgflo::app
