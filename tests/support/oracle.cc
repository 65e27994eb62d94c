#include "support/oracle.h"

#include "graph/graph.h"
#include "runtime/registry.h"
#include "runtime/runtime.h"
#include "support/paths.h"

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <sys/wait.h>

namespace imgflo::test {

namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string run_gegl(const std::filesystem::path& input, const std::string& chain,
                     const std::filesystem::path& scratch, const std::string& extension) {
  static std::atomic<int> counter{0};
  const auto out = scratch / ("gegl-" + std::to_string(counter++) + "." + extension);
  // The chain is passed through the shell unquoted on purpose: it is a list of
  // "op prop=value" words (and [ ] for aux chains) written by the test.
  // One GEGL thread: ops that walk the image in order (c2g's spray, noise-reduction's in-place
  // passes) give the single-threaded result our ops reproduce; others do not depend on it.
  const std::string cmd = "GEGL_THREADS=1 gegl " + quote(input.string()) + " -o " + quote(out.string()) + " -- " + chain +
                          " >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !std::filesystem::exists(out)) {
    throw std::runtime_error("gegl failed: " + cmd);
  }
  return read_file(out);
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
