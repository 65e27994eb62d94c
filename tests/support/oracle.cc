#include "support/oracle.h"

#include "core/digest.h"
#include "graph/graph.h"
#include "runtime/registry.h"
#include "runtime/runtime.h"
#include "support/paths.h"
#include "support/test_text.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace imgflo::test {

namespace {

// The gegl binary on PATH, described by size and mtime ("" when not found).
std::string gegl_identity() {
  const char* path_env = std::getenv("PATH");
  std::string path = path_env ? path_env : "";
  for (std::size_t start = 0; start <= path.size();) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    const std::filesystem::path candidate = std::filesystem::path(path.substr(start, end - start)) / "gegl";
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) {
      const auto size = std::filesystem::file_size(candidate, ec);
      const auto mtime = std::filesystem::last_write_time(candidate, ec).time_since_epoch().count();
      return candidate.string() + ":" + std::to_string(size) + ":" + std::to_string(mtime);
    }
    start = end + 1;
  }
  return "";
}

// The cache file of one run, or an empty path when caching is off.
std::filesystem::path cached_output(const std::filesystem::path& input, const std::string& chain,
                                    const std::string& extension, OracleRun run) {
  const char* dir = std::getenv("IMGFLO_GEGL_ORACLE_CACHE");
  if (run != OracleRun::kReusable || dir == nullptr || *dir == '\0') return {};
  static const std::string gegl = gegl_identity();
  const std::string key = sha256_hex(gegl + '\0' + sha256_hex(read_file(input)) + '\0' + chain + '\0' + extension);
  return std::filesystem::path(dir) / (key + "." + extension);
}

}  // namespace

std::string run_gegl(const std::filesystem::path& input, const std::string& chain,
                     const std::filesystem::path& scratch, const std::string& extension, OracleRun run) {
  const std::filesystem::path cached = cached_output(input, chain, extension, run);
  std::error_code ec;
  if (!cached.empty() && std::filesystem::is_regular_file(cached, ec)) return read_file(cached);
  static std::atomic<int> counter{0};
  const auto out = scratch / ("gegl-" + std::to_string(counter++) + "." + extension);
  // The chain is passed through the shell unquoted on purpose: it is a list of
  // "op prop=value" words (and [ ] for aux chains) written by the test.
  // One GEGL thread: ops that walk the image in order (c2g's spray, noise-reduction's in-place
  // passes) give the single-threaded result our ops reproduce; others do not depend on it.
  const std::string cmd = "GEGL_THREADS=1 gegl " + shell_quote(input.string()) + " -o " + shell_quote(out.string()) + " -- " + chain +
                          " >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !std::filesystem::exists(out)) {
    throw std::runtime_error("gegl failed: " + cmd);
  }
  std::string bytes = read_file(out);
  if (!cached.empty()) {  // written whole, then renamed: parallel tests never read half a file
    std::filesystem::create_directories(cached.parent_path(), ec);
    const auto tmp = cached.string() + ".tmp" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    write_file(tmp, bytes);
    std::filesystem::rename(tmp, cached, ec);
  }
  return bytes;
}

std::string run_fbp(const std::string& fbp_text, const std::string& input_bytes, const request::Params& params,
                    const std::string& out_type) {
  auto g = graph::parse_fbp_graph(fbp_text, "test.fbp");
  if (!g.ok()) throw std::runtime_error(g.error().message());
  auto exe = runtime::make_imgflo_runtime(runtime::builtin_registry())->compile(*g);
  if (!exe.ok()) throw std::runtime_error(exe.error().message());
  runtime::RunRequest req;
  req.out_type = out_type;
  req.input = input_bytes;
  req.params = params;
  auto out = (*exe)->run(req);
  if (!out.ok()) throw std::runtime_error(out.error().message());
  return out->bytes;
}

}  // namespace imgflo::test
