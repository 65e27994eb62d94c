#include "app/distributed.h"

#include "app/vips_init.h"

namespace imgflo::app {

broker::AmqpOptions amqp_options(const Config& config, const std::string& connection_name) {
  broker::AmqpOptions o;
  auto url = broker::parse_broker_url(config.broker_url);
  if (url.ok()) o.url = std::move(*url);
  o.name = connection_name;
  return o;
}

jobs::Topology topology(const Config& config) {
  jobs::Topology t;
  t.prefix = config.broker_prefix;
  t.delivery_limit = config.dead_letter_after;
  return t;
}

jobs::AmqpJobOptions job_system_options(const Config& config) {
  jobs::AmqpJobOptions o;
  o.amqp = amqp_options(config, "imgflo-server");
  o.topology = topology(config);
  // Unanswered jobs per urgency: waiting anywhere or running. In-process workers add their threads, so
  // IMGFLO_QUEUE_LIMIT keeps its embedded meaning there (jobs beyond those running).
  o.queue_limit = config.queue_limit + (config.worker_mode == "internal" ? config.workers : 0);
  return o;
}

jobs::AmqpWorkerOptions worker_options(const Config& config, const std::string& connection_name) {
  jobs::AmqpWorkerOptions o;
  o.amqp = amqp_options(config, connection_name);
  o.topology = topology(config);
  o.urgent = config.worker_role != "background";
  o.background = config.worker_role != "urgent";
  o.prefetch = static_cast<uint16_t>(config.prefetch);
  o.threads = config.workers;
  o.on_thread_exit = vips_thread_done;
  return o;
}

}  // namespace imgflo::app
