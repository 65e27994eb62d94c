// imgflo-server: the HTTP frontend. By default wired to the embedded mode:
// in-process job queue and worker threads, in-memory cache index, results in
// a local folder served at /cache/; with IMGFLO_BROKER_URL, jobs go through
// RabbitMQ (app/services.h). See --help for every setting.
// SIGTERM/SIGINT drain (http/server.h, http/drain.h): no new connections,
// accepted requests answered, then the jobs and the storage finish within
// IMGFLO_DRAIN_TIMEOUT; exit 0. A second signal exits at once (128 + signal).
#include "app/config.h"
#include "app/main_guard.h"
#include "app/services.h"
#include "app/vips_init.h"
#include "http/server.h"
#include "runtime/parallel.h"

#include <spdlog/spdlog.h>

#include <iostream>

namespace {

int run(int argc, char** argv) {
  using namespace imgflo;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << app::Config::help(app::Config::Program::server);
      return 0;
    }
  }
  auto config = app::Config::load(app::Config::environment(), args);
  if (!config.ok()) {
    std::cerr << "imgflo-server: " << config.error().message() << "\n";
    return 1;
  }
  set_up_logging(config->log_format.value_or(default_log_format()));
  spdlog::set_level(config->verbose ? spdlog::level::debug : spdlog::level::info);
  for (const auto& warning : config->warnings) spdlog::warn("{}", warning);
  if (!app::init_vips(argv[0])) return 1;
  runtime::set_compute_threads(config->compute_threads);

  auto services = app::FrontendServices::create(*config);
  if (!services.ok()) {
    std::cerr << "imgflo-server: " << services.error().message() << "\n";
    return 1;
  }
  auto server = http::HttpServer::create(config->server, [&](http::EventLoop& loop) {
    return (*services)->make_handler(loop);
  });
  if (!server.ok()) {
    std::cerr << "imgflo-server: " << server.error().message() << "\n";
    return 1;
  }
  spdlog::info("imgflo-server listening on http://{}:{} ({}, {} compute threads, results in {})",
               config->server.address, (*server)->port(), (*services)->describe(), config->compute_threads,
               (config->files.workdir / "cache").string());
  if (const uint16_t metrics = (*server)->metrics_port()) {
    spdlog::info("metrics on http://{}:{}/metrics", config->server.metrics_address, metrics);
    std::cout << "metrics on port " << metrics << std::endl;
  }
  std::cout << "listening on port " << (*server)->port() << std::endl;  // tests wait for this line
  (*server)->run();  // until stopped, or a stop signal's drain answered every connection (http/server.h)
  const Clock::time_point deadline = (*server)->drain_deadline();  // max(): stopped without a drain
  (*services)->shutdown(deadline == Clock::time_point::max() ? Clock::now() : deadline);
  spdlog::info("imgflo-server stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return imgflo::app::guarded_main("imgflo-server", [&] { return run(argc, argv); });
}
