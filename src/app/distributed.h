// Options of the broker parts (frontend job system, workers) from the
// configuration. REQUIRES: config.broker.url set (Config::load validated it).
#pragma once

#include "app/config.h"
#include "jobs/amqp_job_system.h"
#include "jobs/amqp_worker.h"

#include <string>

namespace imgflo::app {

broker::AmqpOptions amqp_options(const Config& config, const std::string& connection_name);
jobs::AmqpJobOptions job_system_options(const Config& config);
// Roles from config.broker.worker_role; threads from config.jobs.workers.
jobs::AmqpWorkerOptions worker_options(const Config& config, const std::string& connection_name);

}  // namespace imgflo::app
