// Shared body of the graph fuzz targets ("json": FBP JSON, "fbp": the .fbp DSL).
//
// The text is parsed; a graph that parses is also written to a scratch folder and loaded
// the way the service loads its graph folder (Catalogue::load: runtime choice, compilation
// against the op registry, IIP conversion, the typed /graphs description), and a Handler
// is built on that catalogue and asked for /graphs and for the graph itself (the job
// system refuses the work). Errors at any step are fine; their responses must serialise.
#pragma once

#include "fuzz_support.h"

#include "app/runtimes.h"
#include "cache/memory_cache_index.h"
#include "graph/graph.h"
#include "request/auth.h"
#include "runtime/catalogue.h"
#include "storage/local_storage.h"

#include <cstdio>
#include <filesystem>
#include <memory>

namespace imgflo::fuzz {

inline void fuzz_graph_text(std::string_view text, bool fbp) {
  static const std::filesystem::path dir = scratch_dir(fbp ? "fbp" : "json");
  auto g = fbp ? graph::parse_fbp_graph(text, "fuzz.fbp") : graph::parse_json_graph(text, "fuzz.json");
  if (!g.ok()) return check_error(g.error());
  (void)graph::to_json(*g);

  const std::filesystem::path file = dir / (fbp ? "g.fbp" : "g.json");
  std::FILE* f = std::fopen(file.c_str(), "wb");
  if (f == nullptr) fail("cannot write " + file.string());
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  auto catalogue = runtime::Catalogue::load(dir, app::builtin_runtimes());
  std::filesystem::remove(file);
  if (!catalogue.ok()) return check_error(catalogue.error());

  static cache::MemoryCacheIndex index;
  static std::unique_ptr<storage::LocalStorage> storage = [] {
    auto s = storage::LocalStorage::open(dir / "cache");
    if (!s.ok()) fail("storage: " + s.error().message());
    return std::move(*s);
  }();
  static RefusingJobs jobs;
  static const request::Authenticator auth{{}};
  static InlineLoop loop;
  http::Services services{**catalogue, index, *storage, storage.get(), jobs, auth, nullptr};
  http::Handler handler(services, http::HandlerOptions{}, loop);
  for (const char* target : {"/graphs", "/graph/g", "/graph/g.png?input=files/x.png&width=3", "/graph/g.jpg?a=1"}) {
    handle_once(handler, http::HttpRequest{"GET", target, "localhost", ""});
  }
}

}  // namespace imgflo::fuzz
