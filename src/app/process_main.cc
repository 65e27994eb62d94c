// imgflo-process: run one graph from the command line.
//
//   imgflo-process [options] GRAPH[.ext] OUTPUT [input=FILE] [name=value ...]
//   imgflo-process [options] --list
//
// Parameters are exactly those of the URL query; `input` names a local file.
// The output type comes from the extension on GRAPH (none -> JPEG; noop keeps
// the input's bytes). Exit status 0 on success, 1 with a one-line error on
// stderr on failure, 2 for usage errors.
#include "app/runtimes.h"
#include "app/vips_init.h"
#include "core/json.h"
#include "core/log_format.h"
#include "request/graph_spec.h"
#include "runtime/catalogue.h"
#include "runtime/parallel.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <list>
#include <sstream>
#include <string>
#include <vector>

namespace {

using imgflo::Error;
using imgflo::Result;
namespace rt = imgflo::runtime;

constexpr const char* kUsage = R"(usage: imgflo-process [options] GRAPH[.ext] OUTPUT [input=FILE] [name=value ...]
       imgflo-process [options] --list

Runs an imgflo graph on a local image. Parameters are those of the URL query
(see --list); `input` and a graph's other image inputs (watermark=FILE) are
local file paths. The output type is the extension
given on GRAPH: png, jpg/jpeg (the default), gif, webp (animated GIF/WebP inputs
stay animated); the noop graph copies the input.

options:
  --list               print the graph catalogue (GET /graphs) as JSON
  --graphs DIR         graph folder (default $IMGFLO_GRAPHDIR, else <exe>/../graphs)
  --max-pixels N       refuse inputs and intermediate images over N pixels (default 50000000)
  --max-frames N       refuse animations of more than N frames (default $IMGFLO_MAX_FRAMES, else 500)
  --max-animation-pixels N
                       refuse animations of more than N pixels over all frames (default
                       $IMGFLO_MAX_ANIMATION_PIXELS, else 50000000)
  --timeout SECONDS    stop the run after SECONDS (default 60; 0 = no deadline)
  --color-management icc|legacy
                       icc: inputs with an embedded ICC profile are converted to sRGB;
                       legacy: profiles are ignored, as the original did
                       (default $IMGFLO_COLOR_MANAGEMENT, else icc)
  --compute-threads N  threads an image operation may use (default $IMGFLO_COMPUTE_THREADS,
                       else the number of CPUs)
  --print-estimate     print the peak-memory estimate of the run in bytes (what the server's
                       admission charges it, IMGFLO_MEMORY_LIMIT) instead of running it
  --verbose            log debug messages to stderr
  --log-format text|json
                       warnings on stderr as text lines or one JSON object per line (default
                       $IMGFLO_LOG_FORMAT, else text on a terminal and json otherwise)
  -h, --help           this text
)";

struct Options {
  bool list = false;
  std::string graph_dir;
  uint64_t max_pixels = rt::DecodeLimits{}.max_pixels;
  int max_frames = rt::DecodeLimits{}.max_frames;
  uint64_t max_animation_pixels = rt::DecodeLimits{}.max_animation_pixels;
  rt::ColourManagement colour = rt::DecodeLimits{}.colour;
  double timeout_s = 60;
  int compute_threads = 0;  // 0 = IMGFLO_COMPUTE_THREADS, else the number of CPUs
  bool print_estimate = false;
  imgflo::LogFormat log_format = imgflo::default_log_format();
  std::string graph;
  std::string output;
  imgflo::request::Params params;
};

int fail(const std::string& message) {
  std::cerr << "imgflo-process: " << message << "\n";
  return 1;
}

int usage_error(const std::string& message) {
  std::cerr << "imgflo-process: " << message << "\n" << kUsage;
  return 2;
}

// A whole number >= 1 (throws std::invalid_argument naming `what` otherwise).
int positive(const std::string& text, const std::string& what) {
  size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || n < 1) throw std::invalid_argument(what + " must be a whole number >= 1");
  return n;
}

// icc | legacy (throws std::invalid_argument naming `what` otherwise).
rt::ColourManagement colour_management(const std::string& text, const std::string& what) {
  const auto mode = rt::parse_colour_management(text);
  if (!mode) throw std::invalid_argument(what + " must be icc or legacy");
  return *mode;
}

imgflo::LogFormat log_format(const std::string& text, const std::string& what) {
  const auto format = imgflo::parse_log_format(text);
  if (!format) throw std::invalid_argument(what + " must be text or json");
  return *format;
}

// Returns an error message for bad usage, or "" when parsed.
// IMGFLO_COMPUTE_THREADS and IMGFLO_COLOR_MANAGEMENT are the defaults of their flags.
std::string parse_args(int argc, char** argv, Options& o) {
  if (const char* env = std::getenv("IMGFLO_COMPUTE_THREADS"); env && *env) {
    o.compute_threads = positive(env, "IMGFLO_COMPUTE_THREADS");
  }
  if (const char* env = std::getenv("IMGFLO_MAX_FRAMES"); env && *env) {
    o.max_frames = positive(env, "IMGFLO_MAX_FRAMES");
  }
  if (const char* env = std::getenv("IMGFLO_MAX_ANIMATION_PIXELS"); env && *env) {
    o.max_animation_pixels = std::stoull(env);
  }
  if (const char* env = std::getenv("IMGFLO_COLOR_MANAGEMENT"); env && *env) {
    o.colour = colour_management(env, "IMGFLO_COLOR_MANAGEMENT");
  }
  if (const char* env = std::getenv("IMGFLO_LOG_FORMAT"); env && *env) {
    o.log_format = log_format(env, "IMGFLO_LOG_FORMAT");
  }
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* flag) -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (a == "--list") {
      o.list = true;
    } else if (a == "--graphs") {
      o.graph_dir = value("--graphs");
    } else if (a == "--max-pixels") {
      o.max_pixels = std::stoull(value("--max-pixels"));
    } else if (a == "--max-frames") {
      o.max_frames = positive(value("--max-frames"), "--max-frames");
    } else if (a == "--max-animation-pixels") {
      o.max_animation_pixels = std::stoull(value("--max-animation-pixels"));
    } else if (a == "--timeout") {
      o.timeout_s = std::stod(value("--timeout"));
    } else if (a == "--color-management") {
      o.colour = colour_management(value("--color-management"), "--color-management");
    } else if (a == "--compute-threads") {
      o.compute_threads = positive(value("--compute-threads"), "--compute-threads");
    } else if (a == "--print-estimate") {
      o.print_estimate = true;
    } else if (a == "--log-format") {
      o.log_format = log_format(value("--log-format"), "--log-format");
    } else if (a == "--verbose") {
      spdlog::set_level(spdlog::level::debug);
    } else if (a.size() > 1 && a[0] == '-' && a.find('=') == std::string::npos) {
      return "unknown option " + a;
    } else {
      positional.push_back(a);
    }
  }
  if (o.list) return positional.empty() ? "" : "--list takes no arguments";
  if (positional.size() < 2) return "GRAPH and OUTPUT are required";
  o.graph = positional[0];
  o.output = positional[1];
  for (size_t i = 2; i < positional.size(); ++i) {
    const size_t eq = positional[i].find('=');
    if (eq == std::string::npos || eq == 0) return "parameters are name=value, got \"" + positional[i] + "\"";
    o.params.emplace_back(positional[i].substr(0, eq), positional[i].substr(eq + 1));
  }
  return "";
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(imgflo::ErrorKind::kNotFound, "cannot read input file " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int run(const Options& o, const rt::Catalogue& catalogue) {
  const auto spec = imgflo::request::parse_graph_spec(o.graph);
  auto entry = catalogue.find(spec.name);
  if (!entry.ok()) return fail(entry.error().message());

  rt::RunRequest req;
  req.out_type = spec.extension;
  req.limits.max_pixels = o.max_pixels;
  req.limits.max_frames = o.max_frames;
  req.limits.max_animation_pixels = o.max_animation_pixels;
  req.limits.colour = o.colour;
  if (o.timeout_s > 0) {
    req.stop.deadline = imgflo::Deadline::after(
        std::chrono::duration_cast<imgflo::Clock::duration>(std::chrono::duration<double>(o.timeout_s)));
  }
  const auto image_names = (*entry)->executable->image_inputs();
  std::list<std::string> held;  // the input files' bytes, viewed by req
  for (const auto& [name, value] : o.params) {
    const bool image = name == "input" || std::find(image_names.begin(), image_names.end(), name) != image_names.end();
    if (image) {
      auto bytes = read_file(value);
      if (!bytes.ok()) return fail(bytes.error().message());
      held.push_back(std::move(*bytes));
      if (name == "input") req.input = held.back();
      else req.images.emplace_back(name, held.back());
    } else if (name != "_nocache") {
      req.params.emplace_back(name, value);
    }
  }
  if (auto st = catalogue.check(**entry, req); !st.ok()) return fail(st.error().message());
  if (o.print_estimate) {
    auto estimate = (*entry)->executable->estimate_memory(req);
    if (!estimate.ok()) return fail(estimate.error().message());
    std::cout << *estimate << "\n";
    return 0;
  }
  auto out = (*entry)->executable->run(req);
  if (!out.ok()) return fail(out.error().message());
  std::ofstream file(o.output, std::ios::binary | std::ios::trunc);
  file.write(out->bytes.data(), static_cast<std::streamsize>(out->bytes.size()));
  if (!file.good()) return fail("cannot write " + o.output);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  Options o;
  try {
    if (std::string err = parse_args(argc, argv, o); !err.empty()) return usage_error(err);
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }
  imgflo::set_up_logging(o.log_format, "imgflo-process");
  if (!imgflo::app::init_vips(argv[0])) return fail("libvips failed to start");
  rt::set_compute_threads(o.compute_threads);
  const auto dir = o.graph_dir.empty() ? rt::default_graph_dir() : std::filesystem::path(o.graph_dir);
  auto catalogue = rt::Catalogue::load(dir, imgflo::app::builtin_runtimes());
  if (!catalogue.ok()) return fail(catalogue.error().message());
  if (o.list) {
    std::cout << imgflo::dump_json((*catalogue)->listing(), 2) << "\n";
    return 0;
  }
  return run(o, **catalogue);
}
