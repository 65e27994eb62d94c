// imgflo-worker: a broker worker (distributed mode). Consumes jobs from
// RabbitMQ (IMGFLO_BROKER_URL; --role urgent|background|both for images,
// video for videos, all: every queue, the default), runs them with
// IMGFLO_WORKERS threads (videos with IMGFLO_VIDEO_WORKERS), stores the results like the frontend would
// (IMGFLO_WORKDIR/cache), publishes each outcome and then acks the job.
// SIGTERM/SIGINT: stop taking jobs (deliveries go back to the queue), let
// running ones finish, publish and ack within IMGFLO_DRAIN_TIMEOUT (the
// frontend's setting; unfinished ones return to the queue), exit 0. A second
// signal exits at once (status 128 + signal, http/drain.h).
// Takes every imgflo-server setting; --help lists the ones a worker uses.
#include "app/config.h"
#include "app/main_guard.h"
#include "app/distributed.h"
#include "app/processing.h"
#include "app/vips_init.h"
#include "http/drain.h"
#include "runtime/parallel.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

namespace {

int run(int argc, char** argv) {
  using namespace imgflo;
  // Block the stop signals in every thread (they inherit the mask); main waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << app::Config::help(app::Config::Program::worker);
      return 0;
    }
  }
  auto config = app::Config::load(app::Config::environment(), args);
  if (!config.ok()) {
    std::cerr << "imgflo-worker: " << config.error().message() << "\n";
    return 1;
  }
  if (config->broker.url.empty()) {
    std::cerr << "imgflo-worker: IMGFLO_BROKER_URL (or --broker-url) is required\n";
    return 2;
  }
  set_up_logging(config->log_format.value_or(default_log_format()));
  spdlog::set_level(config->verbose ? spdlog::level::debug : spdlog::level::info);
  if (!app::init_vips(argv[0])) return 1;
  runtime::set_compute_threads(config->compute_threads);
  auto parts = app::ProcessingParts::create(*config);
  if (!parts.ok()) {
    std::cerr << "imgflo-worker: " << parts.error().message() << "\n";
    return 1;
  }
  jobs::AmqpWorker worker((*parts)->work(), app::worker_options(*config, "imgflo-worker " + config->broker.worker_role));
  worker.start();
  if (!worker.wait_connected(std::chrono::seconds(10))) {
    spdlog::warn("the message broker is not reachable yet; retrying in the background");
  }
  spdlog::info("imgflo-worker running: role {}, {} threads, {} compute threads, prefetch {}, results in {}",
               config->broker.worker_role, config->jobs.workers, config->compute_threads, config->broker.prefetch,
               (config->files.workdir / "cache").string());
  std::cout << "worker ready" << std::endl;  // tests wait for this line

  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("imgflo-worker: signal {}: draining (up to {} s; a second signal exits at once)", signal,
               std::chrono::duration<double>(config->server.drain_timeout).count());
  http::exit_at_once_on_stop_signal();
  worker.stop();
  spdlog::info("imgflo-worker stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return imgflo::app::guarded_main("imgflo-worker", [&] { return run(argc, argv); });
}
