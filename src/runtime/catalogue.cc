#include "runtime/catalogue.h"
#include "core/bundled_dir.h"
#include "core/json.h"

#include <algorithm>
#include <cstdlib>
#include <system_error>

namespace imgflo::runtime {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {

// Graph JSON + typed metadata for each public inport ("input" is a buffer).
ojson describe(const graph::Graph& g, const Executable& exe) {
  ojson d = graph::to_json(g);
  ojson& inports = d["inports"];
  for (const auto& hidden : exe.hidden_inports()) inports.erase(hidden);
  for (const auto& p : exe.parameters()) {
    ojson& port = inports[p.name];
    if (!port.contains("metadata")) port["metadata"] = ojson::object();
    for (const auto& [k, v] : p.metadata.items()) {
      if (!port["metadata"].contains(k)) port["metadata"][k] = v;
    }
  }
  if (inports.contains("input")) {
    inports["input"]["metadata"]["type"] = "buffer";
    if (!inports["input"]["metadata"].contains("description")) {
      inports["input"]["metadata"]["description"] = "Input image URL";
    }
  }
  return d;
}

}  // namespace

Result<std::unique_ptr<Catalogue>> Catalogue::load(const fs::path& dir, std::vector<std::unique_ptr<Runtime>> rts) {
  std::unique_ptr<Catalogue> cat(new Catalogue());
  cat->runtimes_ = std::move(rts);
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Error(ErrorKind::kInternal, "cannot read graph folder " + dir.string() + ": " + ec.message());
  std::vector<fs::path> files;
  for (const auto& entry : it) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".json" || ext == ".fbp")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> problems;
  for (const auto& file : files) {
    auto g = graph::load_graph_file(file);
    if (!g.ok()) {
      problems.push_back(g.error().message());
      continue;
    }
    const std::string name = g->name;
    const Runtime* rt = nullptr;
    for (const auto& r : cat->runtimes_) {
      if (r->handles(g->runtime)) rt = r.get();
    }
    if (!rt) {
      problems.push_back(file.string() + ": unknown runtime \"" + g->runtime + "\"");
      continue;
    }
    if (cat->graphs_.count(name)) {
      problems.push_back(file.string() + ": a second graph named " + name);
      continue;
    }
    auto exe = rt->compile(*g);
    if (!exe.ok()) {
      problems.push_back(file.string() + ": " + exe.error().message());
      continue;
    }
    ojson description = describe(*g, **exe);
    request::Inports inports = (*exe)->inports();
    cat->graphs_.emplace(name, GraphEntry{std::move(*g), std::move(*exe), std::move(description), std::move(inports)});
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
    return Error(ErrorKind::kGraphInvalid, all);
  }
  ojson graphs = ojson::object();
  for (const auto& [name, entry] : cat->graphs_) graphs[name] = entry.description;
  cat->listing_ = ojson{{"graphs", std::move(graphs)}};
  return cat;
}

Result<const GraphEntry*> Catalogue::find(std::string_view name) const {
  auto it = graphs_.find(name);
  if (it == graphs_.end()) {
    return Error(ErrorKind::kNotFound, "unknown graph \"" + std::string(name) + "\"", {{"graph", name}});
  }
  return &it->second;
}

Status Catalogue::check(const GraphEntry& entry, const RunRequest& request) const {
  Status st = entry.executable->check(request);
  if (st.ok() || st.error().kind() != ErrorKind::kUnknownParameter) return st;
  // The original answered an unknown parameter with the graph's description.
  nlohmann::json details = nlohmann::json::parse(dump_json(entry.description));
  for (const auto& [k, v] : st.error().details().items()) details[k] = v;
  return Error(ErrorKind::kUnknownParameter, st.error().message(), std::move(details));
}

std::vector<std::string> Catalogue::names() const {
  std::vector<std::string> out;
  for (const auto& [name, entry] : graphs_) out.push_back(name);
  return out;
}

fs::path default_graph_dir() {
  if (const char* env = std::getenv("IMGFLO_GRAPHDIR"); env && *env) return env;
  return bundled_dir("graphs");
}

}  // namespace imgflo::runtime
