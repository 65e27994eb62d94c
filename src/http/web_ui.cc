#include "http/web_ui.h"

#include "core/json.h"
#include "http/debug_info.h"
#include "http/debug_redirect.h"
#include "http/handler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

namespace imgflo::http {

namespace fs = std::filesystem;

namespace {

// The pages may run only their own scripts and styles; images come from anywhere (S3 results,
// input URLs) and the debug page reads inputs and results with fetch().
constexpr const char* kPagePolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src * data: blob:; connect-src *; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kWebTypes = {{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".json", "application/json"},
    {".ico", "image/x-icon"},
}};

std::string_view web_type(std::string_view name) {
  for (const auto& [ext, type] : kWebTypes) {
    if (name.size() > ext.size() && name.ends_with(ext)) return type;
  }
  return {};
}

bool plain_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  const auto word = [](unsigned char c) { return std::isalnum(c) != 0; };
  if (!word(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [&](unsigned char c) { return word(c) || c == '.' || c == '_' || c == '-'; });
}

std::string_view web_path_of(std::string_view target) { return target.substr(0, target.find('?')); }

HttpResponse web_not_found(std::string what) { return error_response(Error(ErrorKind::kNotFound, std::move(what))); }

// The file `name` names inside `root`, or nullopt: missing, not regular, outside the root, too large.
std::optional<fs::path> web_file(const fs::path& root, std::string_view name, uintmax_t& size) {
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  const fs::path path = fs::canonical(canonical_root / std::string(name), ec);
  if (ec || path.parent_path() != canonical_root || !fs::is_regular_file(path, ec)) return std::nullopt;
  size = fs::file_size(path, ec);
  if (ec || size > kMaxWebFile) return std::nullopt;
  return path;
}

std::string etag_of(const fs::path& path, uintmax_t size) {
  std::error_code ec;
  const auto mtime = fs::last_write_time(path, ec).time_since_epoch();
  const auto ns = ec ? 0 : std::chrono::duration_cast<std::chrono::nanoseconds>(mtime).count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "W/\"%jx-%llx\"", size, static_cast<unsigned long long>(ns));
  return buf;
}

std::string graphs_json(const runtime::Catalogue& catalogue) {
  nlohmann::ordered_json graphs = nlohmann::ordered_json::object();
  for (const auto& name : catalogue.names()) {
    const runtime::Executable& exe = *(*catalogue.find(name))->executable;
    graphs[name] = {{"output_types", exe.output_types()}, {"image_inputs", exe.image_inputs()}};
  }
  return dump_json(graphs);
}

}  // namespace

bool accepts_html(std::string_view accept) { return accept.find("text/html") != std::string_view::npos; }

HttpResponse static_file(const fs::path& root, std::string_view name, std::string_view if_none_match) {
  const std::string_view type = web_type(name);
  uintmax_t size = 0;
  const auto path = plain_name(name) && !type.empty() ? web_file(root, name, size) : std::nullopt;
  if (!path) return web_not_found("no such file");
  const std::string etag = etag_of(*path, size);
  HttpResponse r;
  r.header("ETag", etag).header("Cache-Control", "no-cache");
  if (type.starts_with("text/html")) r.header("Content-Security-Policy", kPagePolicy);
  if (if_none_match == etag) {
    r.status = 304;
    return r;
  }
  std::ifstream in(*path, std::ios::binary);
  r.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return error_response(Error(ErrorKind::kInternal, "cannot read " + path->string()));
  r.header("Content-Type", std::string(type));
  return r;
}

HttpResponse file_listing(const fs::path& root) {
  std::vector<std::pair<std::string, uintmax_t>> files;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code entry_ec;
    if (!plain_name(name) || !it->is_regular_file(entry_ec)) continue;
    const uintmax_t bytes = it->file_size(entry_ec);
    if (!entry_ec) files.emplace_back(name, bytes);
  }
  std::sort(files.begin(), files.end());
  if (files.size() > kMaxListedFiles) files.resize(kMaxListedFiles);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, bytes] : files) {
    list.push_back({{"name", name}, {"type", fetch::content_type_for(name)}, {"bytes", bytes}});
  }
  HttpResponse r = HttpResponse::json(200, {{"files", std::move(list)}});
  r.header("Cache-Control", "no-cache");
  return r;
}

WebUi::WebUi(WebUiParts parts, BlockingRunner blocking)
    : parts_(std::move(parts)), blocking_(std::move(blocking)), graphs_json_(graphs_json(parts_.catalogue)) {
  std::error_code ec;
  if (!fs::is_regular_file(parts_.dir / "index.html", ec)) {
    spdlog::warn("web UI: no index.html in {} (set IMGFLO_WEB_DIR): / and /debug/ answer 404", parts_.dir.string());
  }
}

void WebUi::serve(std::string name, const HttpRequest& req, Respond& respond) {
  blocking_(std::move(respond), [dir = parts_.dir, name = std::move(name), etag = req.if_none_match](Respond& r) {
    r(static_file(dir, name, etag));
  });
}

bool WebUi::route(const HttpRequest& req, Respond& respond) {
  if (req.method != "GET" && req.method != "HEAD") return false;
  if (auto redirect = debug_redirect(req)) {
    respond(std::move(*redirect));
    return true;
  }
  const std::string_view path = web_path_of(req.target);
  if (path == "/") {
    if (!accepts_html(req.accept)) return false;
    serve("index.html", req, respond);
  } else if (path == "/ui/catalogue.json") {
    const bool signed_only = parts_.auth_required && parts_.auth_required();
    HttpResponse r;
    r.body = std::string("{\"auth_required\":") + (signed_only ? "true" : "false") + ",\"graphs\":" + graphs_json_ + "}";
    r.header("Content-Type", "application/json").header("Cache-Control", "no-cache");
    respond(std::move(r));
  } else if (path.starts_with("/ui/")) {
    serve(std::string(path.substr(4)), req, respond);
  } else if (path.starts_with("/debug/graph/")) {
    serve("debug.html", req, respond);
  } else if (path.starts_with("/debug/params/graph/")) {
    const std::string_view graph_target = std::string_view(req.target).substr(std::string_view("/debug/params").size());
    respond(describe_graph_request(parts_.catalogue, graph_target, parts_.size_limit_megapixels));
  } else if (path.starts_with("/debug/job/")) {
    respond(describe_job(parts_.job_metrics, path.substr(std::string_view("/debug/job/").size())));
  } else if (path == "/files/") {
    // No resource folder: an empty path, which lists nothing.
    blocking_(std::move(respond), [root = parts_.files ? parts_.files->root() : fs::path()](Respond& r) {
      r(file_listing(root));
    });
  } else {
    return false;
  }
  return true;
}

}  // namespace imgflo::http
