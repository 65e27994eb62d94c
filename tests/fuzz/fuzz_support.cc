#include "fuzz_support.h"

#include "app/vips_init.h"
#include "http/handler.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace imgflo::fuzz {

namespace {

std::vector<std::filesystem::path>& scratch_dirs() {
  static std::vector<std::filesystem::path> dirs;
  return dirs;
}

void remove_scratch_dirs() {
  std::error_code ec;
  for (const auto& d : scratch_dirs()) std::filesystem::remove_all(d, ec);
}

}  // namespace

void init(const char* argv0) {
  spdlog::set_level(spdlog::level::off);
  if (!app::init_vips(argv0)) fail("libvips did not start");
}

std::filesystem::path source_dir() { return IMGFLO_SOURCE_DIR; }

std::filesystem::path scratch_dir(const std::string& name) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::exists("/dev/shm", ec) ? "/dev/shm" : std::filesystem::temp_directory_path();
  const auto dir = base / ("imgflo-fuzz-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir);
  if (scratch_dirs().empty()) std::atexit(remove_scratch_dirs);
  scratch_dirs().push_back(dir);
  return dir;
}

void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz target invariant failed: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

void check_response(const http::HttpResponse& r) {
  if (r.status < 100 || r.status > 599) fail("HTTP status " + std::to_string(r.status));
  for (const auto& [name, value] : r.headers) {
    if (name == "Content-Type" && value == "application/json" && !nlohmann::json::accept(r.body)) {
      fail("a JSON response body is not JSON: " + r.body);
    }
    // A header value with CR or LF would let a request inject headers into the response.
    if (value.find_first_of("\r\n") != std::string::npos) fail("CR/LF in response header " + name);
  }
}

Result<uint64_t> RefusingJobs::submit(jobs::Job job, jobs::JobCallback) {
  check_response(http::HttpResponse::json(200, jobs::to_json(job)));
  return Error(ErrorKind::kOverloaded, "the fuzzing job system refuses work");
}

void handle_once(http::Handler& handler, const http::HttpRequest& request) {
  int answers = 0;
  handler.handle(request, [&answers](http::HttpResponse r) {
    ++answers;
    check_response(r);
  });
  if (answers != 1) fail("the handler answered " + std::to_string(answers) + " times to " + request.target);
}

void check_error(const Error& e) {
  const http::HttpResponse r = http::error_response(e);
  if (r.status != e.status()) fail("error response status " + std::to_string(r.status));
  check_response(r);
}

}  // namespace imgflo::fuzz
