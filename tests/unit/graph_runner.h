// Runs a graph file from graphs/ (FBP JSON or .fbp) through the imgflo
// runtime with the built-in ops, as the service would.
#pragma once

#include "graph/graph.h"
#include "runtime/registry.h"
#include "runtime/runtime.h"
#include "support/paths.h"

#include <stdexcept>
#include <string>

namespace imgflo::test {

inline std::string run_graph_file(const std::string& file, const std::string& input_bytes,
                                  const runtime::Params& params, const std::string& out_type = "png") {
  auto g = graph::load_graph_file(graph_dir() / file);
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
